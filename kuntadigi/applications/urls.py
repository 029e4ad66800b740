from . import urls_drafting, urls_submission

app_name = "applications"
urlpatterns = urls_drafting.urlpatterns + urls_submission.urlpatterns
