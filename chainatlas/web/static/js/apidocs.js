// Starts Swagger UI or ReDoc on the /docs and /redoc pages (no inline script: the CSP forbids it).
(function () {
  var swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: swagger.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) {
    window.Redoc.init(redoc.dataset.spec, {}, redoc);
  }
})();
