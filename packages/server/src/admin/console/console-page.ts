// The console page: one HTML file, no framework. It polls every member's /console/api/state
// (the ensemble table, the leader), follows every member's /console/api/events (the timeline,
// merged by time), browses the tree through /console/api/tree and lists this server's sessions,
// connections and watches from the AdminServer's own commands.

export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Paddock console</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; color: #1d2433; background: #f5f6f8; }
  header { background: #1d2433; color: #fff; padding: 10px 16px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; padding: 12px; }
  section { background: #fff; border-radius: 6px; padding: 10px 12px; box-shadow: 0 1px 2px #0002; }
  section.wide { grid-column: 1 / 3; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ea; font-variant-numeric: tabular-nums; }
  tr.down td { color: #a33; }
  tr.leader td:first-child::after { content: " ★"; color: #c80; }
  #timeline { list-style: none; margin: 0; padding: 0; max-height: 340px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px; }
  #timeline li { padding: 2px 0; border-bottom: 1px dotted #e3e6ea; }
  #timeline li[data-kind=election] { color: #a60; }
  #timeline li[data-kind=leader] { color: #070; font-weight: 600; }
  #timeline li[data-kind=down] { color: #a33; font-weight: 600; }
  #timeline li[data-kind=sync] { color: #036; }
  pre { background: #f5f6f8; padding: 6px; overflow: auto; max-height: 200px; margin: 4px 0; }
  .children a { margin-right: 8px; cursor: pointer; color: #036; }
  input, select, textarea, button { font: inherit; }
  .error { color: #a33; }
</style>
</head>
<body>
<header><h1>Paddock console</h1><span id="me"></span><span>leader: <b id="leader">?</b></span><span id="epoch"></span></header>
<main>
  <section class="wide">
    <h2>Ensemble</h2>
    <table id="ensemble"><thead><tr><th>server</th><th>state</th><th>epoch</th><th>last zxid</th><th>lag (txns / ms)</th><th>config version</th><th>read-only</th><th>znodes</th><th>sessions</th><th>connections</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Timeline</h2>
    <ul id="timeline"></ul>
  </section>
  <section>
    <h2>Tree</h2>
    <div><input id="tree-path" value="/" size="40"> <select id="tree-format"><option>text</option><option>json</option><option>hex</option></select> <button id="tree-go">open</button></div>
    <div class="children" id="tree-children"></div>
    <div id="tree-error" class="error"></div>
    <pre id="tree-data"></pre>
    <details><summary>Stat and ACL</summary><pre id="tree-stat"></pre><pre id="tree-acl"></pre></details>
    <div><textarea id="edit-data" rows="2" cols="40" placeholder="data"></textarea></div>
    <div><input id="edit-digest" placeholder="digest credentials user:password" size="30">
      <button data-op="set">set</button> <button data-op="create">create</button> <button data-op="delete">delete</button></div>
  </section>
  <section class="wide">
    <h2>This server: sessions, connections, watches <button id="refresh-local">refresh</button></h2>
    <pre id="local"></pre>
  </section>
</main>
<script>
"use strict";
const states = new Map();   // id -> state, or { down: true }
const streams = new Map();  // id -> EventSource
const seen = new Set();
const events = [];
let peers = {};
let myId = 0;

function addEvent(server, e) {
  const key = server + ":" + e.seq + ":" + e.atMs;
  if (seen.has(key)) return;
  seen.add(key);
  events.push({ server, ...e });
  events.sort((a, b) => b.atMs - a.atMs || b.seq - a.seq);
  renderTimeline();
}

function renderTimeline() {
  const ul = document.getElementById("timeline");
  ul.replaceChildren(...events.slice(0, 300).map((e) => {
    const li = document.createElement("li");
    li.dataset.kind = e.kind;
    li.dataset.server = e.server;
    li.textContent = new Date(e.atMs).toISOString().slice(11, 23) + "  server " + e.server + ": " + e.text;
    return li;
  }));
}

function follow(id, url) {
  if (streams.has(id)) return;
  const es = new EventSource(url + "/console/api/events");
  es.onmessage = (m) => addEvent(id, JSON.parse(m.data));
  streams.set(id, es);
}

function currentLeader() {
  for (const [id, s] of states) if (!s.down && s.role === "leading" && s.serving) return Number(id);
  return null;
}

async function poll() {
  try {
    const mine = await (await fetch("/console/api/state")).json();
    myId = mine.myid;
    peers = Object.keys(mine.peers).length > 0 ? mine.peers : { [mine.myid]: location.origin };
  } catch { /* this server is going down: keep the last picture */ }
  await Promise.all(Object.entries(peers).map(async ([id, url]) => {
    follow(id, url);
    const before = states.get(id);
    try {
      const s = await (await fetch(url + "/console/api/state", { signal: AbortSignal.timeout(1500) })).json();
      if (before && before.down) addEvent(id, { seq: -1, atMs: Date.now(), kind: "up", text: "reachable again" });
      states.set(id, s);
    } catch {
      if (before && !before.down) addEvent(id, { seq: -1, atMs: Date.now(), kind: "down", text: "unreachable (was " + (before.role || "?") + ")" });
      states.set(id, { down: true });
    }
  }));
  render();
}

function render() {
  document.getElementById("me").textContent = "server " + myId;
  const leader = currentLeader();
  document.getElementById("leader").textContent = leader === null ? "none" : String(leader);
  const leaderState = leader === null ? undefined : states.get(String(leader));
  document.getElementById("epoch").textContent = leaderState ? "epoch " + leaderState.epoch : "";
  const lag = new Map((leaderState && leaderState.learners || []).map((l) => [String(l.sid), l]));
  const rows = [...states.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([id, s]) => {
    const tr = document.createElement("tr");
    tr.dataset.id = id;
    tr.dataset.role = s.down ? "down" : s.role;
    if (s.down) tr.className = "down";
    else if (Number(id) === leader) tr.className = "leader";
    const l = lag.get(id);
    const cells = s.down
      ? [id, "unreachable", "", "", "", "", "", "", "", ""]
      : [id, s.mode + (s.serving ? "" : " (not serving)"), s.epoch, s.lastZxid,
         l ? l.lagTxns + " / " + l.lagMs + " (" + l.phase + ")" : (Number(id) === leader ? "-" : ""),
         s.configVersion, s.readOnly ? "yes" : "no", s.znodeCount, s.sessions, s.connections];
    for (const c of cells) { const td = document.createElement("td"); td.textContent = String(c); tr.append(td); }
    return tr;
  });
  document.querySelector("#ensemble tbody").replaceChildren(...rows);
}

function decode(b64, format) {
  if (b64 === null) return "(null)";
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  if (format === "hex") return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = new TextDecoder().decode(bytes);
  if (format === "json") { try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return "(not JSON) " + text; } }
  return text;
}

async function openPath(path) {
  document.getElementById("tree-path").value = path;
  const digest = document.getElementById("edit-digest").value;
  const r = await (await fetch("/console/api/tree?path=" + encodeURIComponent(path), { headers: digest ? { "X-Digest": digest } : {} })).json();
  document.getElementById("tree-error").textContent = r.error || "";
  const kids = document.getElementById("tree-children");
  kids.replaceChildren(...(r.children || []).map((c) => {
    const a = document.createElement("a");
    a.textContent = c;
    a.onclick = () => openPath((path === "/" ? "" : path) + "/" + c);
    return a;
  }));
  document.getElementById("tree-data").textContent = r.error ? "" : decode(r.data, document.getElementById("tree-format").value);
  document.getElementById("tree-stat").textContent = r.stat ? JSON.stringify(r.stat, null, 2) : "";
  document.getElementById("tree-acl").textContent = r.acl ? JSON.stringify(r.acl, null, 2) : "";
}

async function edit(op) {
  const path = document.getElementById("tree-path").value;
  const body = { op, path, data: document.getElementById("edit-data").value, digest: document.getElementById("edit-digest").value };
  const r = await (await fetch("/console/api/tree", { method: "POST", body: JSON.stringify(body) })).json();
  document.getElementById("tree-error").textContent = r.error || "";
  if (!r.error) openPath(op === "delete" ? path.replace(/\\/[^/]*$/, "") || "/" : path);
}

async function refreshLocal() {
  const get = async (c) => (await fetch("/commands/" + c)).json();
  const [cons, dump, wchs] = await Promise.all([get("connections"), get("dump"), get("watch_summary")]);
  document.getElementById("local").textContent = JSON.stringify({ connections: cons.connections, sessions: dump, watches: wchs }, null, 2);
}

document.getElementById("tree-go").onclick = () => openPath(document.getElementById("tree-path").value);
for (const b of document.querySelectorAll("button[data-op]")) b.onclick = () => edit(b.dataset.op);
document.getElementById("refresh-local").onclick = refreshLocal;
poll();
setInterval(poll, 1000);
openPath("/");
refreshLocal().catch(() => {});
</script>
</body>
</html>
`;
