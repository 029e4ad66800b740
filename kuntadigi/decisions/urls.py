from .urls_decisions import urlpatterns as decisions
from .urls_ranking import urlpatterns as ranking

app_name = "decisions"
urlpatterns = ranking + decisions
