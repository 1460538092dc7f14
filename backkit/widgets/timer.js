// backkit's session timer face (anywidget ES module; no build step, nothing fetched).
//
// The model holds the routine (sent once by Python) and `events`, an
// append-only list of what happened: the session's state is a replay of it
// against the page's own clock, so a busy kernel never freezes the countdown
// and a reloaded page shows the running session where it is.

const SOUND_KEY = "backkit.timer.sound";
const TICK_MS = 100;

// -- the state: a replay of the events (mirrors backkit.routine.Engine) ----------

export function replay(phases, events, now, minRep = 0.5) {
  const s = { state: "ready", index: 0, phaseStart: 0, pausedAt: null, t0: null,
              ended: null, stoppedEarly: false, paused: 0, counted: {} };
  // A repetition counts when at least minRep of it ran (backkit.routine.MIN_REP_FRACTION).
  const leave = (t) => {
    const p = phases[s.index];
    if (!p.rep) return;
    const until = s.state === "paused" && s.pausedAt !== null ? s.pausedAt : t;
    const active = Math.min(Math.max(until - s.phaseStart, 0), p.seconds);
    s.counted[s.index] = active >= minRep * p.seconds - 1e-9;
  };
  const advance = (t) => {
    while (s.state === "running" && t >= s.phaseStart + phases[s.index].seconds) {
      leave(s.phaseStart + phases[s.index].seconds);
      s.phaseStart += phases[s.index].seconds;
      enter(s.index + 1, s.phaseStart);
    }
  };
  const enter = (i, t) => {
    s.index = i;
    s.phaseStart = t;
    if (phases[i].kind === "done") { s.state = "finished"; s.ended = t; }
  };
  for (const ev of events) {
    const t = ev.at;
    if (ev.action === "start" && s.state === "ready") {
      s.t0 = t; s.state = "running"; enter(0, t);
    } else if (ev.action === "pause") {
      advance(t);
      if (s.state === "running") { s.pausedAt = t; s.state = "paused"; }
    } else if (ev.action === "resume" && s.state === "paused") {
      s.phaseStart += t - s.pausedAt; s.paused += t - s.pausedAt;
      s.pausedAt = null; s.state = "running";
    } else if (ev.action === "skip") {
      advance(t);
      if (s.state === "running" || s.state === "paused") {
        leave(t);
        const paused = s.state === "paused";
        if (paused) { s.paused += t - s.pausedAt; s.pausedAt = t; }
        enter(s.index + 1, t);
        if (s.state === "finished") s.pausedAt = null;
      }
    } else if (ev.action === "back") {
      advance(t);
      if (s.state === "running" || s.state === "paused") {
        leave(t);
        if (s.state === "paused") { s.paused += t - s.pausedAt; s.pausedAt = t; }
        enter(Math.max(s.index - 1, 0), t);
      }
    } else if (ev.action === "stop") {
      advance(t);
      if (s.state === "running" || s.state === "paused") {
        leave(t);
        if (s.state === "paused") { s.paused += t - s.pausedAt; s.pausedAt = null; }
        s.state = "finished"; s.stoppedEarly = true; s.ended = t;
      }
    }
  }
  advance(now);
  return s;
}

export function fmt(seconds) {
  const s = Math.max(0, Math.ceil(seconds - 1e-9));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function view(r, s, now) {
  const p = r.phases[s.index];
  const total = r.total;
  let elapsed = 0;
  if (s.state === "running") elapsed = Math.min(Math.max(now - s.phaseStart, 0), p.seconds);
  if (s.state === "paused") elapsed = Math.min(Math.max(s.pausedAt - s.phaseStart, 0), p.seconds);
  if (s.state === "finished") elapsed = p.seconds;
  const remaining = s.state === "finished" ? 0 : p.seconds - elapsed;
  const position = s.state === "finished" && !s.stoppedEarly ? total : p.offset + elapsed;
  const done = Math.floor(position + 1e-9);
  let phase, next, session;
  if (s.state === "ready") {
    phase = "Press Start when you are ready";
    next = `First: ${p.label} (${fmt(p.seconds)})`;
  } else if (s.state === "finished") {
    // praise only when every repetition was done (timer_view.finished_text)
    const done = Object.values(s.counted).filter(Boolean).length;
    const reps = r.phases.filter((q) => q.rep).length;
    phase = s.stoppedEarly ? `Stopped during: ${p.label}`
      : done >= reps ? "Done - well done!"
      : done === 0 ? "Finished: nothing was done"
      : `Finished: ${done} of ${reps} repetitions done`;
    next = "Next: tell us how your back feels, then save";
  } else {
    phase = p.label + (s.state === "paused" ? " (paused)" : "");
    next = p.next;
  }
  if (s.state === "finished") {
    session = s.stoppedEarly ? `Stopped after ${fmt(done)} of ${fmt(total)}`
                             : `Session done: ${fmt(total)}`;
  } else {
    session = `Session ${fmt(done)} of ${fmt(total)} - ${fmt(total - done)} left`;
  }
  return {
    p, phase, next, session, remaining,
    countdown: fmt(remaining),
    phaseProgress: p.seconds ? elapsed / p.seconds : 1,
    sessionProgress: total ? position / total : 1,
  };
}

// -- sound: speech, else Web Audio beeps -----------------------------------------

function makeVoice(model, root) {
  let audio = null;
  const record = (type, text) => {
    root.bkCues.push({ type, text, at: Date.now() });
    root.dataset.lastCue = `${type}:${text}`;
  };
  const beep = (tones, seconds = 0.14) => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      let t = audio.currentTime + 0.01;
      for (const f of tones) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = f;
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(0.4, t + 0.01);
        gain.gain.linearRampToValueAtTime(0, t + seconds);
        osc.connect(gain).connect(audio.destination);
        osc.start(t);
        osc.stop(t + seconds + 0.02);
        t += seconds + 0.04;
      }
    } catch (err) { /* no audio device: the screen still shows every step */ }
  };
  const hasVoice = () => {
    try { return "speechSynthesis" in window && window.speechSynthesis.getVoices().length > 0; }
    catch (err) { return false; }
  };
  const say = (text, tones) => {
    const mode = model.get("sound");
    if (mode === "off") return;
    if (mode === "voice" && hasVoice()) {
      try {
        const u = new SpeechSynthesisUtterance(text);
        u.rate = 0.95;
        // A cue cut short by the next one is fine; a failing voice falls back to beeps.
        u.onerror = (e) => {
          if (e.error !== "interrupted" && e.error !== "canceled") { beep(tones); record("beep", text); }
        };
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(u);
        record("say", text);
        return;
      } catch (err) { /* fall through to the beep */ }
    }
    beep(tones);
    record("beep", text);
  };
  const unlock = () => {  // Web Audio may start only after a click or key press
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (err) { /* no audio */ }
  };
  return { say, unlock, close: () => { if (audio) audio.close(); } };
}

// -- wake lock ---------------------------------------------------------------------

function makeWakeLock() {
  let sentinel = null;
  let pending = false;
  let wanted = false;
  const acquire = async () => {
    wanted = true;
    if (sentinel || pending || !("wakeLock" in navigator)) return;
    pending = true;
    try {
      const got = await navigator.wakeLock.request("screen");
      got.addEventListener("release", () => { if (sentinel === got) sentinel = null; });
      sentinel = got;
      if (!wanted) release();  // paused or stopped while the request was on its way
    } catch (err) { sentinel = null; /* refused (battery saver...): the timer still runs */ }
    pending = false;
  };
  const release = () => {
    wanted = false;
    if (sentinel) { const s = sentinel; sentinel = null; s.release().catch(() => {}); }
  };
  // The browser drops the lock when the page is hidden; take it back on return.
  const onVisible = () => { if (wanted && document.visibilityState === "visible") acquire(); };
  document.addEventListener("visibilitychange", onVisible);
  return { acquire, release, close: () => { release(); document.removeEventListener("visibilitychange", onVisible); } };
}

// -- the page ----------------------------------------------------------------------

function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(cls, text, title) {
  const b = h("button", `bk-btn ${cls}`, text);
  b.type = "button";
  b.title = title;
  return b;
}

function render({ model, el }) {
  const r = model.get("routine");
  const phases = r.phases;
  const root = h("div", "bk-face");
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", `Session timer: ${r.title}`);
  root.bkCues = [];
  // One exercise: its name is the title above; the floor view still shows it.
  if (new Set(phases.map((p) => p.heading)).size === 1 && phases[0].heading === r.title) {
    root.classList.add("bk-single");
  }

  const heading = h("div", "bk-heading");
  const phaseRow = h("div", "bk-phase-row");
  const badge = h("span", "bk-badge");
  const phaseEl = h("div", "bk-phase");
  phaseRow.append(badge, phaseEl);
  const middle = h("div", "bk-middle");
  const countdown = h("div", "bk-countdown");
  countdown.setAttribute("aria-live", "off");
  const pose = h("div", "bk-pose");
  pose.setAttribute("role", "img");
  middle.append(countdown, pose);
  const phaseBar = h("div", "bk-bar bk-phase-bar");
  const phaseFill = h("div", "bk-fill");
  phaseBar.append(phaseFill);
  const counterRow = h("div", "bk-counters");
  const cells = [0, 1, 2].map(() => {
    const c = h("div", "bk-counter");
    const name = h("div", "bk-counter-name");
    const value = h("div", "bk-counter-value");
    c.append(name, value);
    counterRow.append(c);
    return { name, value };
  });
  const nextEl = h("div", "bk-next");
  const sessionBar = h("div", "bk-bar bk-session-bar");
  const sessionFill = h("div", "bk-fill");
  sessionBar.append(sessionFill);
  const sessionEl = h("div", "bk-session");
  const stopNote = h("div", "bk-stop-note");
  // The current exercise's cautions: the person's own first (always shown, in
  // the floor view too), then the rest and the common mistakes, folded.
  const cautionsEl = h("div", "bk-cautions");
  // Paused, unmistakable from across the room; a tap anywhere on it resumes.
  const pausedEl = h("div", "bk-paused-overlay");
  pausedEl.append(h("div", "bk-paused-word", "Paused"),
                  h("div", "bk-paused-hint", "Tap here or press space to go on"));
  pausedEl.setAttribute("role", "button");
  const controls = h("div", "bk-controls");
  const startB = button("bk-start bk-primary", "▶ Start", "Start the session (space)");
  const pauseB = button("bk-pause", "❚❚ Pause", "Pause or resume (space)");
  const backB = button("bk-back", "« Back", "Back to the start of the previous step (left arrow)");
  const skipB = button("bk-skip", "» Skip", "Skip to the next step (right arrow)");
  const stopB = button("bk-stop", "■ Stop", "Stop early (what you did is kept)");
  const floorB = button("bk-floor-button", "Floor view", "Full screen, readable from the floor (Esc leaves)");
  const soundSel = h("select", "bk-sound");
  soundSel.title = "Spoken cues, beeps only, or silence";
  soundSel.setAttribute("aria-label", "Sound");
  for (const [value, text] of [["voice", "Voice cues"], ["beeps", "Beeps only"], ["off", "Sound off"]]) {
    const o = h("option", "", text);
    o.value = value;
    soundSel.append(o);
  }
  controls.append(startB, pauseB, backB, skipB, stopB, floorB, soundSel);
  const keys = h("div", "bk-keys", "Keys: space pause/resume, ← back, → skip, Esc leave floor view");
  root.append(heading, phaseRow, middle, phaseBar, counterRow, nextEl, sessionBar, sessionEl,
              stopNote, cautionsEl, controls, keys, pausedEl);
  el.append(root);

  // The sound setting is remembered by this browser between sessions.
  try {
    const kept = window.localStorage.getItem(SOUND_KEY);
    if (kept && kept !== model.get("sound") && ["voice", "beeps", "off"].includes(kept)) {
      model.set("sound", kept);
      model.save_changes();
    }
  } catch (err) { /* storage blocked: the default stays */ }
  soundSel.value = model.get("sound");
  soundSel.addEventListener("change", () => {
    model.set("sound", soundSel.value);
    model.save_changes();
    try { window.localStorage.setItem(SOUND_KEY, soundSel.value); } catch (err) { /* ignore */ }
  });
  const onSound = () => { soundSel.value = model.get("sound"); };
  model.on("change:sound", onSound);

  const voice = makeVoice(model, root);
  const lock = makeWakeLock();
  const nowS = () => Date.now() / 1000;
  let shownIndex = null;   // the phase last drawn, to cue only on a change seen live
  let shownState = null;
  let lastCount = null;    // the last "3, 2, 1" number said in this phase
  let tenSaid = null;      // the hold run "10 seconds left" was said in
  let timer = null;
  let poseKey = undefined;
  let cautionsFor = undefined;  // the exercise whose cautions are shown

  const push = (action, at, extra = {}) => {
    const events = model.get("events").slice();
    const ev = { n: events.length, action, at, ...extra };
    events.push(ev);
    // Each event says which phase the session is in after it (Python ignores this).
    if (ev.index === undefined) ev.index = replay(phases, events, at).index;
    model.set("events", events);
    model.save_changes();
  };
  const current = () => replay(phases, model.get("events"), nowS(), r.min_rep);
  const allDone = (s) => Object.values(s.counted).filter(Boolean).length
    >= phases.filter((q) => q.rep).length;

  const act = (action) => {
    const s = current();
    voice.unlock();
    if (action === "start" && s.state === "ready") push("start", nowS());
    else if (action === "toggle" && s.state === "running") push("pause", nowS());
    else if (action === "toggle" && s.state === "paused") push("resume", nowS());
    else if (action === "skip" && (s.state === "running" || s.state === "paused")) push("skip", nowS());
    else if (action === "back" && (s.state === "running" || s.state === "paused")) push("back", nowS());
    else if (action === "stop" && (s.state === "running" || s.state === "paused")) push("stop", nowS());
    else return;
    draw();
  };
  startB.addEventListener("click", () => act("start"));
  // The countdown is a big tap-to-pause area; the overlay a big tap-to-resume one.
  middle.addEventListener("click", () => { if (current().state === "running") act("toggle"); });
  pausedEl.addEventListener("click", () => act("toggle"));
  pauseB.addEventListener("click", () => act("toggle"));
  skipB.addEventListener("click", () => act("skip"));
  backB.addEventListener("click", () => act("back"));
  stopB.addEventListener("click", () => act("stop"));

  // -- floor view: full screen where the browser allows it, else a page overlay
  const setFloor = (on) => {
    root.classList.toggle("bk-floor", on);
    floorB.textContent = on ? "✕ Leave floor view" : "Floor view";
    if (on) root.focus();
  };
  floorB.addEventListener("click", () => {
    if (root.classList.contains("bk-floor")) { leaveFloor(); return; }
    setFloor(true);
    if (root.requestFullscreen) root.requestFullscreen().catch(() => {});
  });
  const leaveFloor = () => {
    setFloor(false);
    if (document.fullscreenElement === root && document.exitFullscreen) document.exitFullscreen().catch(() => {});
  };
  const onFullscreen = () => { if (document.fullscreenElement !== root && root.classList.contains("bk-floor")) setFloor(false); };
  document.addEventListener("fullscreenchange", onFullscreen);
  root.addEventListener("keydown", (e) => {
    if (e.target && e.target.tagName === "SELECT") return;
    let handled = true;
    if (e.key === " " || e.code === "Space") act(current().state === "ready" ? "start" : "toggle");
    else if (e.key === "ArrowRight") act("skip");
    else if (e.key === "ArrowLeft") act("back");
    else if (e.key === "Escape" && root.classList.contains("bk-floor")) leaveFloor();
    else handled = false;
    if (handled) { e.preventDefault(); e.stopPropagation(); }
  });

  // -- drawing and cues
  function cue(s, now) {
    const p = phases[s.index];
    const live = shownIndex !== null;  // nothing is said for what a reload finds
    if (live && (s.index !== shownIndex || (shownState === "ready" && s.state !== "ready"))) {
      if (s.state === "finished" && s.stoppedEarly) { /* stopped: no cue */ }
      else if (p.kind === "done" && !allDone(s)) voice.say("Finished", r.tones[p.kind] || [880]);
      else voice.say(p.say, r.tones[p.kind] || [880]);
      lastCount = null;
    }
    if (s.state === "running" && p.tenLeft) {
      // "10 seconds left" once in a long hold (each time the hold is entered)
      const left = s.phaseStart + p.seconds - now;
      const key = `${s.index}@${s.phaseStart}`;
      if (left <= 10 && left > 9.5 && tenSaid !== key && s.index === shownIndex) {
        tenSaid = key;
        voice.say("10 seconds left", [r.count_tone]);
      }
    }
    if (s.state === "running" && p.countdown) {
      const left = s.phaseStart + p.seconds - now;
      const n = Math.ceil(left - 1e-6);
      if (n >= 1 && n <= 3 && left <= n && lastCount !== n && left > n - 0.5 && s.index === shownIndex) {
        lastCount = n;
        voice.say(String(n), [r.count_tone]);
      }
    }
  }

  function report(s) {
    // Tell Python what the page saw: each phase entered and the end (once each).
    if (s.state === "ready") return;
    const events = model.get("events");
    const seen = events.reduce((m, e) => (typeof e.index === "number" ? Math.max(m, e.index) : m), -1);
    if (s.index > seen && !(s.stoppedEarly && s.state === "finished")) {
      push(phases[s.index].kind === "done" ? "end" : "phase", s.phaseStart, { index: s.index });
    }
  }

  function draw() {
    const now = nowS();
    const s = current();
    const v = view(r, s, now);
    const p = v.p;
    cue(s, now);
    const started = shownState === "ready" && s.state === "running";
    // Noted before reporting: the report changes the model, which draws again at once.
    shownIndex = s.index;
    shownState = s.state;
    if (started) keepInView();
    report(s);
    root.dataset.state = s.state;
    root.dataset.index = String(s.index);
    root.style.setProperty("--bk-phase", p.colour);
    heading.textContent = p.heading;
    badge.textContent = s.state === "ready" ? "Ready" : s.state === "paused" ? "Paused"
      : s.state === "finished" ? (s.stoppedEarly ? "Stopped" : "Done") : p.kind === "set-rest" ? "Rest" : p.kind === "prepare" ? "Get ready" : p.kind.charAt(0).toUpperCase() + p.kind.slice(1);
    phaseEl.textContent = v.phase;
    countdown.textContent = v.countdown;
    phaseFill.style.width = `${(100 * v.phaseProgress).toFixed(2)}%`;
    sessionFill.style.width = `${(100 * v.sessionProgress).toFixed(2)}%`;
    p.counters.forEach(([name, value], i) => { cells[i].name.textContent = name; cells[i].value.textContent = value; });
    nextEl.textContent = v.next;
    sessionEl.textContent = v.session;
    const key = p.pose;
    if (key !== poseKey) {
      poseKey = key;
      pose.innerHTML = key ? r.poses[key] : "";
      pose.style.display = key ? "" : "none";
      pose.setAttribute("aria-label", key ? `${p.heading}: ${key.split("/")[1]} position` : "");
    }
    if (p.exercise !== cautionsFor) {
      cautionsFor = p.exercise;
      showCautions((r.cautions || {})[p.exercise]);
    }
    const running = s.state === "running" || s.state === "paused";
    startB.disabled = s.state !== "ready";
    pauseB.disabled = !running;
    pauseB.textContent = s.state === "paused" ? "▶ Resume" : "❚❚ Pause";
    skipB.disabled = !running;
    backB.disabled = !running;
    stopB.disabled = !running;
    pausedEl.style.display = s.state === "paused" ? "" : "none";
    if (s.state === "finished" && s.stoppedEarly) {
      if (!stopNote.firstChild) {
        stopNote.append(h("div", "bk-stop-lead", "Stopped. What you did is kept."));
        stopNote.append(h("div", "bk-stop-title", `${r.emergency.title}:`));
        const ul = h("ul");
        for (const sign of r.emergency.signs) ul.append(h("li", "", sign));
        stopNote.append(ul);
      }
      stopNote.style.display = "";
    } else {
      stopNote.style.display = "none";
    }
    if (s.state === "running") lock.acquire(); else lock.release();
    schedule(s, now);
  }

  function showCautions(c) {
    cautionsEl.replaceChildren();
    cautionsEl.style.display = c ? "" : "none";
    if (!c) return;
    if (c.mine.length) {
      const mine = h("div", "bk-cautions-mine");
      mine.append(h("div", "bk-cautions-title", `For you, from your answers (${c.name}):`));
      const ul = h("ul");
      for (const text of c.mine) ul.append(h("li", "", text));
      mine.append(ul);
      cautionsEl.append(mine);
    }
    if (c.everyone.length) {
      const all = h("div", "bk-cautions-everyone");
      all.append(h("div", "bk-cautions-title", `Take care (${c.name}):`));
      const ul = h("ul");
      for (const text of c.everyone) ul.append(h("li", "", text));
      all.append(ul);
      cautionsEl.append(all);
    }
    const all = h("details", "bk-cautions-all");
    const n = c.others.length;
    all.append(h("summary", "", n
      ? `${n} caution${n === 1 ? "" : "s"} for other conditions, and common mistakes`
      : "Common mistakes"));
    for (const [title, items] of [["Cautions", c.others], ["Common mistakes", c.mistakes]]) {
      if (!items.length) continue;
      all.append(h("div", "bk-cautions-title", title));
      const ul = h("ul");
      for (const text of items) ul.append(h("li", "", text));
      all.append(ul);
    }
    cautionsEl.append(all);
  }

  // Start hides the questions above the face (Python redraws a moment later):
  // bring the countdown back into view then, and once the page has settled.
  function keepInView() {
    for (const wait of [0, 400, 1200]) {
      setTimeout(() => {
        const box = root.getBoundingClientRect();
        const height = window.innerHeight || document.documentElement.clientHeight;
        if (box.top < 0 || box.top > height * 0.5) root.scrollIntoView({ block: "start" });
      }, wait);
    }
  }

  function schedule(s, now) {
    clearTimeout(timer);
    timer = null;
    if (s.state !== "running") return;
    // Wake at the next tenth of a second, or sooner at the end of the phase or a
    // counted second, so each change is shown and said on time.
    const p = phases[s.index];
    const end = s.phaseStart + p.seconds;
    let wake = Math.min(TICK_MS, Math.max(0, (end - now) * 1000));
    if (p.tenLeft) {
      const at = (end - 10 - now) * 1000;
      if (at > 0) wake = Math.min(wake, at);
    }
    if (p.countdown) {
      for (const n of [3, 2, 1]) {
        const at = (end - n - now) * 1000;
        if (at > 0) wake = Math.min(wake, at);
      }
    }
    timer = setTimeout(draw, Math.max(0, wake) + 1);
  }

  const onEvents = () => draw();
  model.on("change:events", onEvents);
  // Colours and sizes resolve only once the element is in the page: draw now and again.
  draw();
  requestAnimationFrame(() => draw());

  return () => {
    clearTimeout(timer);
    lock.close();
    voice.close();
    model.off("change:events", onEvents);
    model.off("change:sound", onSound);
    document.removeEventListener("fullscreenchange", onFullscreen);
  };
}

export default { render };
