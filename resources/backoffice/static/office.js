// Draws a report's chart with Apache ECharts from the JSON the page carries (no inline script).
(function () {
  function draw() {
    var box = document.getElementById("chart");
    var data = document.getElementById("chart-data");
    if (!box || !data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 56, right: 16, top: 24, bottom: 48 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 8 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: [{ name: box.dataset.label, type: "bar", data: d.values, itemStyle: { color: "#c8102e" } }],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
