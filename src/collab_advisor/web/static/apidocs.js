// Starts Swagger UI on /docs or ReDoc on /redoc with this server's OpenAPI schema.
(function () {
  "use strict";
  var schema = document.body.getAttribute("data-openapi");
  if (document.getElementById("swagger-ui") && window.SwaggerUIBundle) {
    window.ui = window.SwaggerUIBundle({
      url: schema,
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) {
    window.Redoc.init(schema, { disableSearch: false, hideDownloadButton: false }, redoc);
  }
})();
