// The deployed staff inbox page: signs in through Cognito's hosted pages (authorization code flow with PKCE; the
// page holds no secret), keeps the access token in this tab's sessionStorage only, and calls /staff/api with it.
// Everything shown is written with textContent, never as HTML, so nothing a patient typed can run as script.
"use strict";

const root = document.getElementById("inbox");
const config = root.dataset;
const message = document.getElementById("message");
const TOKEN = "cramp_staff_token";
const VERIFIER = "cramp_staff_pkce";
const STATE = "cramp_staff_state";

function say(text) { message.textContent = text; }

function randomText(bytes) {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function signIn() {
  const verifier = randomText(48);
  const state = randomText(16);
  sessionStorage.setItem(VERIFIER, verifier);
  sessionStorage.setItem(STATE, state);
  const query = new URLSearchParams({
    response_type: "code", client_id: config.clientId, redirect_uri: config.redirectUri, scope: "openid email",
    state, code_challenge: await challengeOf(verifier), code_challenge_method: "S256",
  });
  location.assign(`${config.signInUrl}/oauth2/authorize?${query}`);
}

async function finishSignIn(params) {
  if (params.get("state") !== sessionStorage.getItem(STATE)) { throw new Error("sign-in state does not match"); }
  const body = new URLSearchParams({
    grant_type: "authorization_code", client_id: config.clientId, code: params.get("code"),
    redirect_uri: config.redirectUri, code_verifier: sessionStorage.getItem(VERIFIER) || "",
  });
  const reply = await fetch(`${config.signInUrl}/oauth2/token`, {
    method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body,
  });
  if (!reply.ok) { throw new Error("the sign-in was refused"); }
  const tokens = await reply.json();
  sessionStorage.setItem(TOKEN, tokens.access_token);
  sessionStorage.removeItem(VERIFIER);
  sessionStorage.removeItem(STATE);
  history.replaceState(null, "", config.redirectUri);
}

async function api(path, options = {}) {
  const reply = await fetch(`/staff/api${path}`, {
    ...options,
    headers: {...(options.headers || {}), Authorization: `Bearer ${sessionStorage.getItem(TOKEN)}`,
              "Content-Type": "application/json"},
  });
  if (reply.status === 401) { sessionStorage.removeItem(TOKEN); await signIn(); throw new Error("signing in again"); }
  const payload = await reply.json();
  if (!reply.ok) { throw new Error(payload.error || "the inbox could not do that"); }
  return payload;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) { td.className = className; }
  row.appendChild(td);
  return td;
}

function button(label, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", () => action().catch((error) => say(error.message)));
  return b;
}

function render(callbacks) {
  const body = document.getElementById("rows");
  body.replaceChildren();
  for (const item of callbacks) {
    const row = document.createElement("tr");
    const received = cell(row, "");
    const time = document.createElement("time");
    time.dateTime = item.received_iso;
    time.textContent = item.received;
    received.appendChild(time);
    cell(row, item.urgency_label, `urgency-${item.urgency}`);
    cell(row, item.summary);
    cell(row, item.content_version);
    cell(row, item.window);
    const number = cell(row, "");
    const call = document.createElement("a");
    call.href = `tel:${item.phone}`;
    call.textContent = item.phone;
    number.appendChild(call);
    cell(row, item.notified ? "delivered" : `${item.notify_status} (${item.notify_attempts} attempts)`);
    cell(row, item.status_label);
    const actions = cell(row, "");
    for (const status of ["called", "done", "new"]) {
      if (status !== item.status) {
        actions.appendChild(button(`Mark ${status}`, async () => {
          await api(`/callbacks/${encodeURIComponent(item.key)}/status`, {method: "POST", body: JSON.stringify({status})});
          await load();
        }));
      }
    }
    actions.appendChild(button("Text back", async () => {
      const text = prompt(`Text to ${item.phone} (at most ${config.textMax} characters):`, config.textBack);
      if (!text) { return; }
      await api(`/callbacks/${encodeURIComponent(item.key)}/text`, {method: "POST", body: JSON.stringify({body: text})});
      say("Text sent.");
    }));
    actions.appendChild(button("This number's requests", async () => {
      const found = await api(`/callbacks/${encodeURIComponent(item.key)}/history`);
      const list = document.getElementById("history-rows");
      list.replaceChildren(...found.callbacks.map((other) => {
        const li = document.createElement("li");
        li.textContent = `${other.received}: ${other.summary} (${other.status_label})`;
        return li;
      }));
      document.getElementById("history").hidden = false;
    }));
    body.appendChild(row);
  }
}

async function load() {
  const found = await api("/callbacks");
  render(found.callbacks);
  document.getElementById("requests").hidden = false;
  say(found.callbacks.length ? `${found.callbacks.length} requests.` : "No callback requests.");
}

document.getElementById("history-close").addEventListener("click", () => {
  document.getElementById("history").hidden = true;
});
document.getElementById("sign-out").addEventListener("click", () => {
  sessionStorage.clear();
  const query = new URLSearchParams({client_id: config.clientId, logout_uri: config.redirectUri});
  location.assign(`${config.signInUrl}/logout?${query}`);
});

(async () => {
  const params = new URLSearchParams(location.search);
  try {
    if (params.has("code")) { await finishSignIn(params); }
    if (!sessionStorage.getItem(TOKEN)) { await signIn(); return; }
    document.getElementById("sign-out").hidden = false;
    await load();
  } catch (error) {
    say(`Could not open the inbox: ${error.message}`);
  }
})();
