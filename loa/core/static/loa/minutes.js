// The minutes editor: a contenteditable box with a few formatting buttons; on submit its HTML
// goes into the hidden field, and the server keeps only plain formatting (nh3).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-minutes-form]");
  if (!form) return;
  const editor = form.querySelector("[contenteditable]");
  document.execCommand("defaultParagraphSeparator", false, "p"); // Enter makes a paragraph
  form.querySelectorAll("[data-command]").forEach((button) =>
    button.addEventListener("click", () => {
      editor.focus();
      document.execCommand(button.dataset.command);
    }),
  );
  form.addEventListener("submit", () => {
    form.querySelector("input[name=minutes]").value = editor.innerHTML;
  });
});
