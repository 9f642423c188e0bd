// copra's log viewer: next/previous error (buttons, n and p keys), line ranges (#L10-L20, shift-click
// a line number), opening a failed step's log at its first error, and a wrap toggle. The page reads
// the same without it: this only adds to links and classes the page already has.
(function () {
  'use strict';
  var view = document.querySelector('.log-view');
  if (!view) return;
  var lines = function () { return view.querySelectorAll('pre.log > span[id^="L"]'); };
  var errors = view.querySelectorAll('pre.log > span.k-error[id]');
  var warnings = view.querySelectorAll('pre.log > span.k-warning[id]');
  var anchor = null;

  function lineNumber(element) { return Number(element.id.slice(1)); }

  function parseRange(hash) {
    var match = /^#L(\d+)(?:-L?(\d+))?$/.exec(hash);
    if (!match) return null;
    var first = Number(match[1]);
    var last = match[2] ? Number(match[2]) : first;
    return { first: Math.min(first, last), last: Math.max(first, last) };
  }

  function select(range, scroll) {
    view.querySelectorAll('pre.log > span.selected').forEach(function (line) { line.classList.remove('selected'); });
    if (!range) return;
    var firstLine = null;
    lines().forEach(function (line) {
      var n = lineNumber(line);
      if (n >= range.first && n <= range.last) {
        line.classList.add('selected');
        if (!firstLine) firstLine = line;
      }
    });
    // Just below the sticky toolbar: the lines' scroll margin is the toolbar's height.
    if (firstLine && scroll) firstLine.scrollIntoView({ block: 'start' });
  }

  function go(range) {
    var hash = range.first === range.last ? '#L' + range.first : '#L' + range.first + '-L' + range.last;
    history.replaceState(null, '', hash);
    select(range, true);
  }

  // A click on a line number selects it; with shift, the range from the last selected line.
  view.addEventListener('click', function (event) {
    var link = event.target.closest('pre.log > span[id] > a:first-child');
    if (!link) return;
    event.preventDefault();
    var n = lineNumber(link.parentElement);
    if (event.shiftKey && anchor !== null) go({ first: Math.min(anchor, n), last: Math.max(anchor, n) });
    else {
      anchor = n;
      go({ first: n, last: n });
    }
  });

  // Next and previous error (or warning) from the selected line (the first or last when none is), around.
  function jump(direction, marked) {
    if (marked.length === 0) return;
    var target = null;
    for (var i = 0; i < marked.length; i++) {
      var n = lineNumber(marked[i]);
      if (direction > 0 && (anchor === null || n > anchor)) { target = marked[i]; break; }
      if (direction < 0 && anchor !== null && n < anchor) target = marked[i];
    }
    if (!target) target = direction > 0 ? marked[0] : marked[marked.length - 1];
    anchor = lineNumber(target);
    go({ first: anchor, last: anchor });
  }

  var bar = document.createElement('div');
  bar.className = 'log-tools';
  var title = document.createElement('span');
  title.className = 'log-tools-title';
  title.textContent = view.getAttribute('data-title');
  bar.appendChild(title);
  function button(text, title, action) {
    var element = document.createElement('button');
    element.type = 'button';
    element.textContent = text;
    element.title = title;
    element.addEventListener('click', action);
    bar.appendChild(element);
    return element;
  }
  if (errors.length > 0) {
    button('↑ previous error', 'Previous error (p)', function () { jump(-1, errors); });
    button('↓ next error', 'Next error (n)', function () { jump(1, errors); });
  }
  if (warnings.length > 0) {
    button('↑ previous warning', 'Previous warning (shift-p)', function () { jump(-1, warnings); });
    button('↓ next warning', 'Next warning (shift-n)', function () { jump(1, warnings); });
  }
  var wrap = button('no wrap', 'Wrap long lines or not', function () {
    var unwrapped = view.classList.toggle('nowrap');
    wrap.textContent = unwrapped ? 'wrap' : 'no wrap';
    wrap.setAttribute('aria-pressed', String(unwrapped));
  });
  wrap.setAttribute('aria-pressed', 'false');
  view.parentNode.insertBefore(bar, view);
  // Lines scrolled to stop below the toolbar, however many rows it wraps to.
  function fitScrollMargin() { view.style.setProperty('--toolbar', bar.offsetHeight + 8 + 'px'); }
  fitScrollMargin();
  window.addEventListener('resize', fitScrollMargin);

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName)) return;
    if (event.key === 'n') jump(1, errors);
    else if (event.key === 'p') jump(-1, errors);
    else if (event.key === 'N') jump(1, warnings);
    else if (event.key === 'P') jump(-1, warnings);
  });
  window.addEventListener('hashchange', function () { select(parseRange(location.hash), true); });

  var named = parseRange(location.hash);
  if (named) {
    anchor = named.first;
    select(named, true);
  } else if (view.hasAttribute('data-open-at-error') && errors.length > 0) {
    anchor = lineNumber(errors[0]);
    go({ first: anchor, last: anchor });
  }
})();
