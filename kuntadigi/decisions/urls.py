from .urls_decisions import urlpatterns as decisions
from .urls_project_decisions import urlpatterns as project_decisions
from .urls_ranking import urlpatterns as ranking

app_name = "decisions"
urlpatterns = ranking + decisions + project_decisions
