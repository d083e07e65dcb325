// The export page: "Alle kolommen selecteren" ticks or clears every column box.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("alle-kolommen");
  if (!toggle) return;
  toggle.addEventListener("change", () => {
    document
      .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
      .forEach((box) => { box.checked = toggle.checked; });
  });
});
