"""The public results pages (under /fi/, /sv/, /en/): each part keeps its own list."""

from .urls_opendata import urlpatterns as opendata_patterns
from .urls_results import urlpatterns as results_patterns
from .urls_stats import urlpatterns as stats_patterns

app_name = "publication"

# The map and statistics come first: their fixed paths must win over the results' <slug> paths.
urlpatterns = stats_patterns + opendata_patterns + results_patterns
