// The dashboard: a hash router over four pages, the API key prompt, and the live-connection indicator.
import "./style.css";
import { ApiError, apiKey, gql, onConnectionChange } from "./api.js";
import { askPage } from "./pages/ask.js";
import { clipPage } from "./pages/clip.js";
import { comparePage } from "./pages/compare.js";
import { libraryPage } from "./pages/library.js";
import type { Viewer } from "./pages/types.js";
import { errorBox, h } from "./ui.js";

const main = document.querySelector<HTMLElement>("#main")!;
const connection = document.querySelector<HTMLElement>("#connection")!;
const keyButton = document.querySelector<HTMLButtonElement>("#key-button")!;
let cleanups: (() => void)[] = [];

// The header says what the subscription socket is doing: "live", "reconnecting…" while a dropped socket comes
// back (graphql-ws retries and subscribes again by itself), then "live again" for a few seconds.
let dropped = false;
let settle: ReturnType<typeof setTimeout> | undefined;
const showConnection = (state: string, text: string, title: string) => {
  connection.dataset.state = state;
  connection.textContent = text;
  connection.title = title;
};
onConnectionChange((state) => {
  clearTimeout(settle);
  if (state === "reconnecting") {
    dropped = true;
    showConnection("reconnecting", "reconnecting…", "the live connection dropped; it is coming back by itself");
  } else if (state === "connected" && dropped) {
    dropped = false;
    showConnection("restored", "live again", "the live connection is back; live views resumed");
    settle = setTimeout(() => showConnection("connected", "live", "live updates are on"), 5000);
  } else if (state === "connected") showConnection("connected", "live", "live updates are on");
  else showConnection("idle", "", "");
});

async function viewer(): Promise<Viewer | null> {
  try {
    return (await gql<{ viewer: Viewer }>(`query Viewer { viewer { role canIngest mediaRootsConfigured } }`)).viewer;
  } catch (error) {
    if (error instanceof ApiError && (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN")) return null;
    throw error;
  }
}

function keyPrompt(message?: string): void {
  const input = h("input", { type: "password", id: "api-key", autocomplete: "off", required: true });
  main.replaceChildren(
    h(
      "form",
      {
        class: "key-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          apiKey.set(input.value.trim());
          void route();
        },
      },
      h("h1", {}, "API key"),
      h("p", {}, "This server needs an API key. It is kept only in this browser tab (session storage)."),
      message ? h("p", { class: "error", role: "alert" }, message) : null,
      h("label", { for: "api-key" }, "Key"),
      input,
      h("button", { type: "submit" }, "Use this key"),
    ),
  );
  input.focus();
}

async function route(): Promise<void> {
  for (const c of cleanups) c();
  cleanups = [];
  const onLeave = (c: () => void) => cleanups.push(c);
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  let who: Viewer | null;
  try {
    who = await viewer();
  } catch (error) {
    main.replaceChildren(errorBox(error));
    return;
  }
  if (!who) {
    keyPrompt(apiKey.get() ? "That key was refused." : undefined);
    return;
  }
  keyButton.hidden = !apiKey.get();
  document.body.dataset.role = who.role;
  const parts = (path ?? "/").split("/").filter(Boolean);
  if (parts[0] === "clip" && parts[1]) clipPage(main, decodeURIComponent(parts[1]), params, onLeave);
  else if (parts[0] === "ask") askPage(main, params, onLeave);
  else if (parts[0] === "compare") comparePage(main, params);
  else libraryPage(main, who, onLeave);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a"))
    a.toggleAttribute("aria-current", a.getAttribute("href") === `#/${parts[0] ?? ""}`.replace(/\/$/, "/"));
  main.focus({ preventScroll: true });
}

// the skip link moves the focus to the content; followed as a link it would change the route (#main)
document.querySelector<HTMLAnchorElement>("a.skip")?.addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});
keyButton.addEventListener("click", () => {
  apiKey.set(null);
  keyPrompt();
});
window.addEventListener("hashchange", () => void route());
void route();
