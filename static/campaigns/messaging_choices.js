// Campaign form: the messaging dropdown offers only the chosen positioning's message architectures.
// Progressive enhancement: the server renders the same narrowing (and, without JavaScript, the
// "Update messaging choices" button re-renders the form); this rebuilds the options in place when the
// positioning changes. Data: [{id, name, options: [[id, label], ...]}, ...] from #messaging-choices.
(function () {
  "use strict";
  var data = document.getElementById("messaging-choices");
  var positioning = document.getElementById("id_positioning");
  var messaging = document.getElementById("id_message_architecture");
  if (!data || !positioning || !messaging) return;
  var groups = JSON.parse(data.textContent);
  var emptyLabel = messaging.options.length && messaging.options[0].value === "" ? messaging.options[0].text : "---------";

  function option(pair, selected) {
    var element = new Option(pair[1], pair[0]);
    element.selected = pair[0] === selected;
    return element;
  }

  function rebuild() {
    var selected = messaging.value;
    var chosen = positioning.value;
    var children = [option(["", emptyLabel], selected)];
    groups.forEach(function (group) {
      if (chosen && group.id !== chosen) return;
      if (chosen) {
        group.options.forEach(function (pair) { children.push(option(pair, selected)); });
      } else {
        var optgroup = document.createElement("optgroup");
        optgroup.label = group.name;
        group.options.forEach(function (pair) { optgroup.appendChild(option(pair, selected)); });
        children.push(optgroup);
      }
    });
    messaging.replaceChildren.apply(messaging, children);
    if (messaging.selectedIndex < 0) messaging.selectedIndex = 0;
  }

  positioning.addEventListener("change", rebuild);
})();
