// copra's builder board: its tags as filters. Pressing a tag shows only the builders with it (with
// several pressed, those with all of them), and groups left empty hide. The page lists every
// builder without it.
(function () {
  'use strict';
  var filters = document.querySelector('.tag-filters');
  if (!filters) return;
  var pressed = new Set();
  var rows = document.querySelectorAll('table.board tbody tr');
  function apply() {
    rows.forEach(function (row) {
      // A row's tags are the links in its name cell, named as the filters are.
      var tags = Array.prototype.map.call(row.querySelectorAll('td.name .tags a'), function (link) { return link.textContent; });
      var shown = true;
      pressed.forEach(function (tag) { if (tags.indexOf(tag) < 0) shown = false; });
      row.hidden = !shown;
    });
    document.querySelectorAll('section.board-group').forEach(function (group) {
      group.hidden = group.querySelector('tbody tr:not([hidden])') === null;
    });
  }
  filters.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-tag]');
    if (!button) return;
    var tag = button.getAttribute('data-tag');
    if (pressed.has(tag)) pressed.delete(tag); else pressed.add(tag);
    button.setAttribute('aria-pressed', String(pressed.has(tag)));
    apply();
  });
  var label = document.createElement('span');
  label.textContent = 'Show only the builders with the ' + filters.getAttribute('data-word') + 's pressed:';
  filters.prepend(label);
  filters.hidden = false;
})();
