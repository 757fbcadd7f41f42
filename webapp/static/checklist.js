// Checkbox lists with a filter box: type part of a name to narrow the list (no Ctrl-click,
// nothing loaded from outside; a file, since the content security policy forbids inline script).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-filters]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filters"));
    if (!list) { return; }
    box.hidden = false;
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().trim();
      list.querySelectorAll("label").forEach(function (label) {
        label.hidden = words !== "" && label.textContent.toLowerCase().indexOf(words) < 0;
      });
    });
  });
});
