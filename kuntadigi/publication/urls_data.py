"""Downloads of the open data (not under a language prefix: a file's address is the same for everyone)."""

app_name = "data"

urlpatterns: list = []
