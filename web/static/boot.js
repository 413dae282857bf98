// Starts the portal. A file rather than an inline script, so the Content-Security-Policy can forbid inline scripts.
import init from "/vigil_web.js";

init({ module_or_path: "/vigil_web_bg.wasm" }).catch((e) => {
  const boot = document.getElementById("boot");
  if (boot) boot.textContent = "Vigil could not start: " + e;
  console.error(e);
});
