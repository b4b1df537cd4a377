/* chuhai — small page behaviours, no build step.
 *
 * 1. htmx requests carry the CSRF token from <meta name="csrf-token">.
 * 2. Charts: an element <div data-chart="ID" data-currency="CNY"> is drawn with ECharts from the JSON option in
 *    <script type="application/json" id="ID">. Charts are drawn on page load and after htmx swaps, follow their
 *    element's size, and mark the element data-chart-ready="1" once drawn (tests wait for that).
 * 3. <select data-autosubmit> submits its form on change.
 */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16",
    "#f97316", "#64748b", "#14b8a6", "#a855f7"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  function moneyFormatter(currency) {
    var lang = document.documentElement.lang || "en";
    try {
      var fmt = new Intl.NumberFormat(lang, { style: "currency", currency: currency });
      return function (value) { return value == null ? "—" : fmt.format(value); };
    } catch (e) {
      return function (value) { return value == null ? "—" : value + " " + currency; };
    }
  }

  var drawn = [];

  function drawChart(el) {
    if (!window.echarts || echarts.getInstanceByDom(el)) return null;
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return null;
    var option = JSON.parse(source.textContent);
    if (!option.color) option.color = PALETTE;
    option.textStyle = option.textStyle || { fontFamily: getComputedStyle(document.body).fontFamily };
    var currency = el.getAttribute("data-currency");
    if (currency) {
      var format = moneyFormatter(currency);
      option.tooltip = option.tooltip || {};
      option.tooltip.valueFormatter = format;
      (option.series || []).forEach(function (s) {
        if (s.label && s.label.show) s.label.formatter = function (p) { return format(p.value); };
      });
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    drawn.push(chart);
    if (window.ResizeObserver) new ResizeObserver(function () { if (!chart.isDisposed()) chart.resize(); }).observe(el);
    el.setAttribute("data-chart-ready", "1");
    return chart;
  }

  function drawCharts(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(drawChart);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      drawn.forEach(function (c) { if (!c.isDisposed()) c.resize(); });
    }, 100);
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });

  window.chuhai = { drawCharts: drawCharts, drawChart: drawChart, csrfToken: csrfToken };
})();
