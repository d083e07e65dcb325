/* The task list of a local variation offers only the tasks of the chosen role.
   Each task option carries data-role (the id of its role); no inline script, so it runs
   under the Content-Security-Policy. Works for the variation form and for the inline rows of
   a house, including rows added with "add another". */
(function () {
  "use strict";

  function roleSelectFor(taskSelect) {
    var name = taskSelect.name.replace(/task$/, "role");
    return taskSelect.form ? taskSelect.form.elements.namedItem(name) : null;
  }

  function filterTasks(taskSelect) {
    var roleSelect = roleSelectFor(taskSelect);
    if (!roleSelect) { return; }
    var role = roleSelect.value;
    Array.prototype.forEach.call(taskSelect.options, function (option) {
      var owner = option.getAttribute("data-role");
      if (owner === null) { return; } // the empty choice
      var offered = role !== "" && owner === role;
      option.hidden = !offered;
      option.disabled = !offered;
    });
    var chosen = taskSelect.options[taskSelect.selectedIndex];
    if (chosen && chosen.disabled) { taskSelect.value = ""; }
  }

  function taskSelects(root) {
    return (root || document).querySelectorAll("select[data-task-by-role]");
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.name || !/role$/.test(target.name) || !target.form) { return; }
    var taskName = target.name.replace(/role$/, "task");
    var taskSelect = target.form.elements.namedItem(taskName);
    if (taskSelect && taskSelect.hasAttribute("data-task-by-role")) { filterTasks(taskSelect); }
  });
  document.addEventListener("formset:added", function (event) {
    Array.prototype.forEach.call(taskSelects(event.target), filterTasks);
  });
  function start() { Array.prototype.forEach.call(taskSelects(), filterTasks); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
