/// The status page served at `/` on the admin listener: plain HTML and a little JavaScript that
/// reads the alerts API (`/alertrelay/v1/...`) every 5 s. No build step and nothing loaded from
/// elsewhere. The page holds no data itself; with an admin token set, the script asks for it
/// once and sends it as `Authorization: Bearer` (kept in the tab's sessionStorage only). Data is
/// written with `textContent`, never as HTML, so alert text cannot inject markup.
enum StatusPage {
    static let html = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>alertrelay</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
      h1 { font-size: 1.4em; margin: 0 0 .3em 0; }
      h2 { font-size: 1.1em; margin: 1.4em 0 .4em 0; }
      table { border-collapse: collapse; width: 100%; font-size: .9em; }
      th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
      th { background: #f4f4f4; }
      .CRITICAL { color: #fff; background: #c0392b; }
      .WARNING { color: #222; background: #f1c40f; }
      .INFO { color: #fff; background: #2980b9; }
      .OK { color: #fff; background: #27ae60; }
      .level { font-weight: bold; padding: .1em .4em; border-radius: 3px; }
      .muted { color: #777; }
      #error { color: #c0392b; }
      code { font-size: .95em; }
    </style>
    </head>
    <body>
    <h1>alertrelay</h1>
    <div id="summary" class="muted">loading…</div>
    <div id="error"></div>
    <form id="auth" hidden>
      <label>Admin token: <input id="token" type="password" autocomplete="off"></label>
      <button type="submit">Use</button>
    </form>
    <h2>Active alerts</h2>
    <table id="alerts"><thead><tr><th>Level</th><th>ID</th><th>Rule</th><th>Since</th><th>Last value</th><th>Message</th></tr></thead><tbody></tbody></table>
    <h2>Rules</h2>
    <table id="rules"><thead><tr><th>Rule</th><th>Level</th><th>Critical</th><th>Warning</th><th>Info</th><th>Groups</th><th>Events</th><th>Topics</th><th>File</th></tr></thead><tbody></tbody></table>
    <h2>Recent events</h2>
    <table id="events"><thead><tr><th>Time</th><th>Level</th><th>Previous</th><th>ID</th><th>Rule</th><th>Message</th></tr></thead><tbody></tbody></table>
    <h2>Kafka</h2>
    <table id="kafka"><thead><tr><th>Cluster</th><th>Brokers</th><th>State</th><th>Outstanding</th></tr></thead><tbody></tbody></table>
    <h2>Kafka consumers</h2>
    <table id="consumers"><thead><tr><th>Consumer</th><th>Topics</th><th>Partition</th><th>Position</th><th>Committed</th><th>Lag</th><th>In flight</th></tr></thead><tbody></tbody></table>
    <h2>Spool</h2>
    <div id="spool" class="muted"></div>
    <script>
    "use strict";
    const api = "/alertrelay/v1";
    function headers() {
      const t = sessionStorage.getItem("alertrelay-token");
      return t ? { "Authorization": "Bearer " + t } : {};
    }
    async function get(path) {
      const r = await fetch(api + path, { headers: headers(), cache: "no-store" });
      if (r.status === 401) { document.getElementById("auth").hidden = false; throw new Error("the admin token is needed"); }
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
      return body;
    }
    function cell(tr, text, cls) {
      const td = document.createElement("td");
      if (cls) {
        const span = document.createElement("span");
        span.className = cls;
        span.textContent = text;
        td.appendChild(span);
      } else {
        td.textContent = text;
      }
      tr.appendChild(td);
      return td;
    }
    function fill(id, rows, render, empty) {
      const body = document.querySelector("#" + id + " tbody");
      body.replaceChildren();
      for (const row of rows) { const tr = document.createElement("tr"); render(tr, row); body.appendChild(tr); }
      if (rows.length === 0) {
        const tr = document.createElement("tr");
        const td = cell(tr, empty);
        td.colSpan = 9;
        td.className = "muted";
        body.appendChild(tr);
      }
    }
    function values(fields) {
      return Object.entries(fields).map(([k, v]) => k + "=" + (typeof v === "string" ? JSON.stringify(v) : v)).join(" ");
    }
    function level(l) { return "level " + l; }
    async function refresh() {
      try {
        const [status, rules, alerts, events] = await Promise.all([
          get("/status"), get("/rules"), get("/alerts?min-level=INFO&limit=500"), get("/events?limit=50")]);
        const a = status.active;
        document.getElementById("summary").textContent =
          "version " + status.version + " on " + status.hostname + " · " + status.rules + " rules, " + status.handlers +
          " handler files · " + a.CRITICAL + " critical, " + a.WARNING + " warning, " + a.INFO + " info · " +
          status["points-evaluated"] + " points evaluated · queue " + status.queue.points + "/" + status.queue.capacity +
          " · dead letters " + status["dead-letters"];
        fill("alerts", alerts.alerts, (tr, e) => {
          cell(tr, e.level, level(e.level)); cell(tr, e.id); cell(tr, e.rule);
          cell(tr, e.since + " (" + e.duration + ")"); cell(tr, values(e.fields)); cell(tr, e.message);
        }, "nothing is firing");
        if (alerts.truncated) document.getElementById("error").textContent = "showing " + alerts.alerts.length + " of " + alerts.total + " alerts";
        else document.getElementById("error").textContent = "";
        fill("rules", rules.rules, (tr, r) => {
          cell(tr, r.id); cell(tr, r.level, level(r.level));
          cell(tr, r.active.CRITICAL); cell(tr, r.active.WARNING); cell(tr, r.active.INFO);
          cell(tr, r.groups); cell(tr, r.collected); cell(tr, r.topics.join(", ")); cell(tr, r.file);
        }, "no rules loaded");
        fill("events", events.events, (tr, e) => {
          cell(tr, e.time); cell(tr, e.level, level(e.level)); cell(tr, e["previous-level"], level(e["previous-level"]));
          cell(tr, e.id); cell(tr, e.rule); cell(tr, e.message);
        }, "no events yet");
        fill("kafka", status.kafka, (tr, k) => {
          cell(tr, k.cluster); cell(tr, k.brokers.join(", ")); cell(tr, k.state); cell(tr, k.outstanding);
        }, "no [[kafka]] cluster enabled");
        const parts = [];
        for (const c of status.consumers) {
          if (c.partitions.length === 0) parts.push({ c: c, p: null });
          for (const p of c.partitions) parts.push({ c: c, p: p });
        }
        fill("consumers", parts, (tr, x) => {
          const show = (v) => v === null ? "–" : v;
          cell(tr, x.c.name); cell(tr, x.c.topics.join(", "));
          if (x.p === null) { cell(tr, "no partition assigned"); return; }
          cell(tr, x.p.topic + "[" + x.p.partition + "]"); cell(tr, show(x.p.position)); cell(tr, show(x.p.committed));
          cell(tr, show(x.p.lag)); cell(tr, x.p["in-flight-batches"]);
        }, "no [[kafka-consumer]] enabled");
        if (status.ready.length > 0) document.getElementById("error").textContent = "not ready: " + status.ready.join("; ");
        const s = status.spool;
        document.getElementById("spool").textContent = s === null ? "no spool ([spool] dir is not set)" :
          s.dir + ": " + s.bytes + " bytes unacknowledged, " + s["waiting-resend"] + " waiting to be sent again, " +
          s.blocked + " blocked, " + s.dropped + " dropped" + (s["write-failure"] ? " · cannot write: " + s["write-failure"] : "");
      } catch (e) {
        document.getElementById("error").textContent = String(e.message || e);
      }
    }
    document.getElementById("auth").addEventListener("submit", (ev) => {
      ev.preventDefault();
      sessionStorage.setItem("alertrelay-token", document.getElementById("token").value);
      document.getElementById("auth").hidden = true;
      refresh();
    });
    refresh();
    setInterval(refresh, 5000);
    </script>
    </body>
    </html>
    """#
}
