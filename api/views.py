"""The API's own pages: the OpenAPI schema and its documentation (Swagger UI), served from our
static files. (Redoc is left out: its page loads Google Fonts.)"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

schema = SpectacularAPIView.as_view()
docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema")
