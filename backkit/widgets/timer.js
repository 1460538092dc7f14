// backkit's session timer face (anywidget ES module; no build step, nothing fetched).
//
// The model holds the routine (sent once by Python) and `events`, an
// append-only list of what happened: the session's state is a replay of it
// against the page's own clock, so a busy kernel never freezes the countdown
// and a reloaded page shows the running session where it is.

const SOUND_KEY = "backkit.timer.sound";
const TICK_MS = 100;
// Seconds between the copies of a running session kept in the browser's storage.
const JOURNAL_BEAT_S = 1;
// The sessions a face of this page is showing now (their copies are not "left behind").
const LIVE = (window.__backkitLiveSessions = window.__backkitLiveSessions || new Set());

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

// The face's words: `_("...")` and `ngettext(...)` mark them (pybabel extracts
// them into the backkit catalogue); Python sends their translations
// (TimerFace.words, read from this file) and the script's English is the rest.
function translator(model) {
  const words = model.get("words") || {};
  const _ = (text) => (typeof words[text] === "string" ? words[text] : text);
  // Both forms come from Python: one, and more (the catalogue's rule is n != 1).
  const ngettext = (one, more, n) => {
    const forms = Array.isArray(words[one]) ? words[one] : [one, more];
    return n === 1 ? forms[0] : forms[1];
  };
  return { _, ngettext };
}

// "{name}" placeholders filled from `values` (a translation may reorder them).
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

export function fmt(seconds) {
  const s = Math.max(0, Math.ceil(seconds - 1e-9));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function view(r, s, now, _) {
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
  // the same words as timer_view.phase_text, next_text and session_text
  if (s.state === "ready") {
    phase = _("Press Start when you are ready");
    next = fill(_("First: {step} ({duration})"), { step: p.label, duration: fmt(p.seconds) });
  } else if (s.state === "finished") {
    // praise only when every repetition was done (timer_view.finished_text)
    const done = Object.values(s.counted).filter(Boolean).length;
    const reps = r.phases.filter((q) => q.rep).length;
    phase = s.stoppedEarly ? fill(_("Stopped during: {step}"), { step: p.label })
      : done >= reps ? _("Done - well done!")
      : done === 0 ? _("Finished: nothing was done")
      : fill(_("Finished: {done} of {total} repetitions done"), { done, total: reps });
    next = _("Next: tell us how your back feels, then save");
  } else {
    phase = s.state === "paused" ? fill(_("{step} (paused)"), { step: p.label }) : p.label;
    next = p.next;
  }
  if (s.state === "finished") {
    session = s.stoppedEarly
      ? fill(_("Stopped after {done} of {total}"), { done: fmt(done), total: fmt(total) })
      : fill(_("Session done: {total}"), { total: fmt(total) });
  } else {
    session = fill(_("Session {done} of {total} - {left} left"),
                   { done: fmt(done), total: fmt(total), left: fmt(total - done) });
  }
  return {
    p, phase, next, session, remaining,
    countdown: fmt(remaining),
    phaseProgress: p.seconds ? elapsed / p.seconds : 1,
    sessionProgress: total ? position / total : 1,
  };
}

// -- sound: speech, else Web Audio beeps -----------------------------------------

// Words a second the instruction is assumed to take at most: past that, a voice
// that never says it has finished (no "end" event) is taken as finished.
const SLOWEST_WORDS_PER_SECOND = 1.6;

// A voice's language tag as the kit writes it ("pt_BR", "PT-br" -> "pt-br").
const tag = (lang) => String(lang || "").replace(/_/g, "-").toLowerCase();

function makeVoice(model, root) {
  let audio = null;
  // The kit's language (TimerFace.lang): cues are said only by a voice of it;
  // without one the face beeps rather than have another language's voice read them.
  const lang = model.get("lang") || "en-GB";
  const tongue = tag(lang).split("-")[0];
  // The instruction being said, and the cues that wait for it to finish: a
  // cue never cuts an instruction short (each waits, or is dropped once late).
  let talking = null;
  let waiting = [];
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
  // The voice for the kit's language: its region's first, else any of the language.
  const voiceFor = () => {
    const voices = window.speechSynthesis.getVoices() || [];
    return voices.find((v) => tag(v.lang) === tag(lang))
      || voices.find((v) => tag(v.lang) === tongue || tag(v.lang).startsWith(`${tongue}-`)) || null;
  };
  const hasVoice = () => {
    try { return "speechSynthesis" in window && voiceFor() !== null; }
    catch (err) { return false; }
  };
  const finished = (u) => {
    if (!talking || talking.u !== u) return;
    clearTimeout(talking.timer);
    talking = null;
    root.dataset.talking = "";
    // What waited is said now, in order, unless its moment has passed.
    const now = Date.now();
    const due = waiting.filter((c) => c.until > now);
    waiting = [];
    for (const c of due) speak(c.text, c.tones, { queue: true, instruction: c.instruction });
  };
  const speak = (text, tones, { instruction = false, queue = false } = {}) => {
    let u = null;
    try {
      u = new SpeechSynthesisUtterance(text);
      u.rate = 0.95;
      u.lang = lang;
      // a voice chosen by hand must be the browser's own object; the tag alone also picks one
      try { u.voice = voiceFor(); } catch (err) { /* the lang tag picks the voice */ }
      // A cue cut short by the next one is fine; a failing voice falls back to beeps.
      u.onerror = (e) => {
        if (e.error !== "interrupted" && e.error !== "canceled") { beep(tones); record("beep", text); }
        finished(u);
      };
      u.onend = () => finished(u);
      if (instruction) {
        const words = text.split(/\s+/).filter(Boolean).length;
        const most = 2000 + (1000 * words) / SLOWEST_WORDS_PER_SECOND;
        talking = { u, text, timer: setTimeout(() => finished(u), most) };
        root.dataset.talking = text;
      }
      // Queued cues follow what is being said; a new cue replaces an old short one.
      if (!queue) window.speechSynthesis.cancel();
      window.speechSynthesis.speak(u);
      record("say", text);
      return true;
    } catch (err) {
      if (talking && talking.u === u) { clearTimeout(talking.timer); talking = null; }
      return false;
    }
  };
  // opts.instruction: an exercise's instruction (nothing cuts it short);
  // opts.until: the time (ms) after which a cue waiting for it is dropped;
  // opts.interrupt: the person pressed a key or button: say it now.
  const say = (text, tones, opts = {}) => {
    const mode = model.get("sound");
    if (mode === "off") return;
    if (mode === "voice" && hasVoice()) {
      if (talking && opts.interrupt) {
        clearTimeout(talking.timer);
        talking = null;
        waiting = [];
        root.dataset.talking = "";
      }
      if (talking) {
        waiting.push({ text, tones, until: opts.until || Infinity, instruction: !!opts.instruction });
        record("wait", text);
        return;
      }
      if (speak(text, tones, opts)) return;
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
  return { say, unlock, talking: () => talking !== null,
           close: () => { if (talking) clearTimeout(talking.timer); if (audio) audio.close(); } };
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
  const { _, ngettext } = translator(model);
  const lang = model.get("lang") || "en-GB";
  // The phase badge: what kind of step this is (a noun or a word of command).
  const badges = {
    // Translators: the badge of a step: get into position
    prepare: _("Get ready"),
    hold: _("Hold"),
    move: _("Move"),
    // Translators: the badge of a step: a rest (a noun)
    rest: _("Rest"),
    "set-rest": _("Rest"),
    // Translators: the badge of a step: change to the other side
    switch: _("Switch"),
    done: _("Done"),
  };
  // The key poses' names, as the drawing's description says them ("the start position").
  const poseWords = {
    // Translators: a pose, in "from the {start} position to the {end} position"
    start: _("start"),
    // Translators: a pose, in "from the {start} position to the {end} position"
    end: _("end"),
    // Translators: a pose (the hips lifted), in "the {pose} position"
    lift: _("lift"),
    // Translators: a pose (one knee drawn up), in "the {pose} position"
    "one-knee": _("one-knee"),
  };
  const r = model.get("routine");
  const phases = r.phases;
  const root = h("div", "bk-face");
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", fill(_("Session timer: {title}"), { title: r.title }));
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
  // The one thing to check while doing it: read from the floor as from the chair.
  const keyEl = h("div", "bk-key");
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
  pausedEl.append(h("div", "bk-paused-word", _("Paused")),
                  h("div", "bk-paused-hint", _("Tap here or press space to go on")));
  pausedEl.setAttribute("role", "button");
  // A session a closed or reloaded page left unsaved: resume it, or save what was done.
  const offerEl = h("div", "bk-resume");
  offerEl.setAttribute("role", "alert");
  offerEl.style.display = "none";
  const controls = h("div", "bk-controls");
  const startB = button("bk-start bk-primary", _("▶ Start"), _("Start the session (space)"));
  const pauseB = button("bk-pause", _("❚❚ Pause"), _("Pause or resume (space)"));
  const backB = button("bk-back", _("« Back"), _("Back to the start of the previous step (left arrow)"));
  const skipB = button("bk-skip", _("» Skip"), _("Skip to the next step (right arrow)"));
  const stopB = button("bk-stop", _("■ Stop"), _("Stop early (what you did is kept)"));
  const floorB = button("bk-floor-button", _("Floor view"),
                        _("Full screen, readable from the floor (Esc leaves)"));
  const soundSel = h("select", "bk-sound");
  soundSel.title = _("Spoken cues, beeps only, or silence");
  soundSel.setAttribute("aria-label", _("Sound"));
  for (const [value, text] of [["voice", _("Voice cues")], ["beeps", _("Beeps only")],
                               ["off", _("Sound off")]]) {
    const o = h("option", "", text);
    o.value = value;
    soundSel.append(o);
  }
  controls.append(startB, pauseB, backB, skipB, stopB, floorB, soundSel);
  const keys = h("div", "bk-keys", _("Keys: space pause/resume, ← back, → skip, Esc leave floor view"));
  root.append(offerEl, heading, phaseRow, middle, phaseBar, counterRow, keyEl, nextEl, sessionBar, sessionEl,
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
  let marksSaid = new Set(); // "Halfway", "10 seconds left": once per run of a hold
  let pressed = false;     // the change being drawn came from a press (it may cut speech)
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

  // -- the session's copy in the browser's storage (backkit issue 26) -----------
  // Kept while the session is unsaved, keyed by the log, plan and routine
  // (TimerFace.journal) and the start time; holds the events and when the page
  // was last seen alive. Python drops it (settled) once saved or thrown away.
  const prefix = (model.get("journal") || {}).key || "";
  let copyKey = null;
  let beat = 0;
  const store = (() => { try { return window.localStorage; } catch (err) { return null; } })();
  const keep = () => {
    const events = model.get("events");
    if (!prefix || !store || !events.length || model.get("settled")) return;
    copyKey = copyKey || `${prefix}/${Math.round(events[0].at * 1000)}`;
    LIVE.add(copyKey);
    beat = nowS();
    try {
      const choice = (model.get("journal") || {}).choice;
      const copy = { v: 1, events, alive: beat, title: r.title };
      if (typeof choice === "string") copy.choice = choice;
      store.setItem(copyKey, JSON.stringify(copy));
    } catch (err) { /* storage full or blocked: the session still runs */ }
  };
  const drop = () => {
    if (copyKey && store) { try { store.removeItem(copyKey); } catch (err) { /* ignore */ } }
  };
  const onSettled = () => { if (model.get("settled")) drop(); else keep(); };
  model.on("change:settled", onSettled);

  // The latest copy under `start` (this routine's, or any of this log and plan).
  const latest = (start, ok) => {
    let found = null;
    for (let i = 0; i < store.length; i++) {
      const k = store.key(i);
      if (!k || !k.startsWith(start) || LIVE.has(k)) continue;
      try {
        const v = JSON.parse(store.getItem(k));
        if (v && Array.isArray(v.events) && v.events.length && typeof v.alive === "number"
            && ok(v) && (!found || v.alive > found.v.alive)) found = { k, v };
      } catch (err) { /* not ours: leave it */ }
    }
    return found;
  };
  // Python's copy (backkit.journal), kept as the events reached the kernel: the
  // only one left when this browser's storage is gone (another browser, cleared).
  const kept = () => {
    const v = (model.get("journal") || {}).copy;
    if (!v || !Array.isArray(v.events) || !v.events.length || typeof v.alive !== "number") return null;
    const k = `${prefix}/${Math.round(v.events[0].at * 1000)}`;
    return LIVE.has(k) ? null : { k, v };
  };
  const leftBehind = () => {
    if (!prefix || model.get("events").length) return null;
    const here = store ? latest(`${prefix}/`, () => true) : null;
    const py = kept();
    // one candidate per session (its key is its start time): the newer alive wins
    const found = py && (!here || py.v.alive > here.v.alive) ? py : here;
    if (!found) {
      // one of another routine of this log and plan: the page around may show it
      const group = prefix.slice(0, prefix.lastIndexOf("/") + 1);
      const here = store ? latest(group, (v) => typeof v.choice === "string") : null;
      const py = (model.get("journal") || {}).other;  // Python's, of the same log and plan
      const ok = py && typeof py.choice === "string" && typeof py.alive === "number"
        && !LIVE.has(`${py.key}/${Math.round(py.start * 1000)}`);
      const other = ok && (!here || py.alive > here.v.alive) ? py : here && here.v;
      if (other) {
        model.set("elsewhere", { choice: other.choice, title: String(other.title || "") });
        model.save_changes();
      }
    }
    return found;
  };

  function offer(found) {
    const { k, v } = found;
    const events = v.events.map((e, i) => ({ ...e, n: i }));
    const s = replay(phases, events, v.alive, r.min_rep);
    const lostAt = Math.max(v.alive, events[events.length - 1].at);
    // what was done: exercises with at least one repetition that counts
    const exercises = [...new Set(phases.filter((q) => q.kind !== "done").map((q) => q.exercise))];
    const doneEx = new Set(Object.entries(s.counted).filter(([, ok]) => ok)
      .map(([i]) => phases[Number(i)].exercise));
    const reps = phases.filter((q) => q.rep).length;
    const repsDone = Object.values(s.counted).filter(Boolean).length;
    const what = exercises.length > 1
      ? fill(_("{done} of {total} exercises"), { done: doneEx.size, total: exercises.length })
      : fill(ngettext("{done} of {total} repetition", "{done} of {total} repetitions", reps),
             { done: repsDone, total: reps });
    // the day too when it was not today: "started at 21:53" must not read as today's;
    // English keeps the browser's own date words, another language the kit's
    const locales = tag(lang).startsWith("en") ? [] : [lang];
    const begun = new Date(events[0].at * 1000);
    const clock = begun.toLocaleTimeString(locales, { hour: "2-digit", minute: "2-digit" });
    const lead = begun.toDateString() === new Date().toDateString()
      ? fill(_("This session, started at {time}, was not saved when the page closed."), { time: clock })
      : fill(_("This session, started on {date} at {time}, was not saved when the page closed."), {
        date: begun.toLocaleDateString(locales, { weekday: "long", day: "numeric", month: "long" }),
        time: clock,
      });
    const at = phases[s.index];
    const where = s.state === "finished" ? _("It had ended, but was not saved.")
      : (exercises.length > 1
        ? fill(_("It stopped at: {step} ({exercise})."), { step: at.label, exercise: at.heading })
        : fill(_("It stopped at: {step}."), { step: at.label }))
        + " " + _("If your back or leg symptoms are worse than before you started, do not resume: save what you did.");
    offerEl.replaceChildren(
      h("div", "bk-resume-lead", lead),
      h("div", "bk-resume-where", where));
    const row = h("div", "bk-resume-buttons");
    const adopt = (extra) => {
      copyKey = k;
      LIVE.add(k);
      offerEl.style.display = "none";
      model.set("events", [...events, ...extra.map((e, i) => ({ n: events.length + i, ...e }))]);
      model.save_changes();
      draw();
    };
    if (s.state !== "finished") {
      const go = button("bk-resume-go bk-primary", _("▶ Resume"),
        _("Carry on where it stopped (it comes back paused; the time away is not counted)"));
      go.addEventListener("click", () => {
        voice.unlock();
        adopt(s.state === "running" ? [{ action: "pause", at: lostAt, index: s.index, lost: true }] : []);
      });
      row.append(go);
    }
    const save = button("bk-resume-save", fill(_("Save what you did ({what})"), { what }),
      _("Save the session as far as it went, with the times it happened"));
    save.addEventListener("click", () => {
      const end = s.state === "finished" ? [] : [{ action: "stop", at: lostAt, index: s.index, lost: true }];
      adopt([...end, { action: "save", at: nowS(), index: s.index }]);
    });
    const discard = button("bk-resume-discard", _("Discard it"), _("Forget this session: nothing of it is saved"));
    discard.addEventListener("click", () => {
      if (store) { try { store.removeItem(k); } catch (err) { /* ignore */ } }
      // Python drops its copy of the same session (the same start time) too, and
      // this page forgets it (a reload with the same kernel must not offer it again)
      const { copy: _gone, ...journal } = model.get("journal") || {};
      model.set("journal", { ...journal, dropped: events[0].at });
      model.save_changes();
      offerEl.style.display = "none";
    });
    row.append(save, discard);
    offerEl.append(row);
    offerEl.style.display = "";
  }

  // Leaving the page while a session runs asks first (the copy is kept either way).
  const onLeave = (e) => {
    keep();
    const st = current().state;
    if (st === "running" || st === "paused") {
      e.preventDefault();
      e.returnValue = "";
      return "";
    }
    return undefined;
  };
  window.addEventListener("beforeunload", onLeave);
  const onHide = () => keep();
  window.addEventListener("pagehide", onHide);

  const act = (action) => {
    const s = current();
    voice.unlock();
    if (action === "start" && s.state === "ready") { offerEl.style.display = "none"; push("start", nowS()); }
    else if (action === "toggle" && s.state === "running") push("pause", nowS());
    else if (action === "toggle" && s.state === "paused") push("resume", nowS());
    else if (action === "skip" && (s.state === "running" || s.state === "paused")) push("skip", nowS());
    else if (action === "back" && (s.state === "running" || s.state === "paused")) push("back", nowS());
    else if (action === "stop" && (s.state === "running" || s.state === "paused")) push("stop", nowS());
    else return;
    pressed = true;
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
    floorB.textContent = on ? _("✕ Leave floor view") : _("Floor view");
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
    const end = (s.phaseStart + p.seconds) * 1000;  // a waiting cue is dropped after its moment
    if (live && (s.index !== shownIndex || (shownState === "ready" && s.state !== "ready"))) {
      const opts = { until: end, interrupt: pressed, instruction: !!p.instruction };
      if (s.state === "finished" && s.stoppedEarly) { /* stopped: no cue */ }
      // Translators: said aloud at the end of a session not every repetition of which was done
      else if (p.kind === "done" && !allDone(s)) voice.say(_("Finished"), r.tones[p.kind] || [880], opts);
      else voice.say(p.say, r.tones[p.kind] || [880], { ...opts, until: Math.max(end, now * 1000 + 3000) });
      lastCount = null;
    }
    pressed = false;
    if (s.state === "running" && s.index === shownIndex) {
      // "Halfway", "10 seconds left": once in a long hold (each time the hold is entered)
      for (const [text, at] of p.marks || []) {
        const into = now - s.phaseStart;
        const key = `${s.index}@${s.phaseStart}@${text}`;
        if (into >= at && into < at + 0.5 && !marksSaid.has(key)) {
          marksSaid.add(key);
          voice.say(text, [r.count_tone], { until: (s.phaseStart + at + 2) * 1000 });
        }
      }
    }
    if (s.state === "running" && p.countdown) {
      const left = s.phaseStart + p.seconds - now;
      const n = Math.ceil(left - 1e-6);
      if (n >= 1 && n <= 3 && left <= n && lastCount !== n && left > n - 0.5 && s.index === shownIndex) {
        lastCount = n;
        voice.say(String(n), [r.count_tone], { until: (end - (n - 1) * 1000) - 500 });
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
    const v = view(r, s, now, _);
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
    badge.textContent = s.state === "ready" ? _("Ready") : s.state === "paused" ? _("Paused")
      : s.state === "finished" ? (s.stoppedEarly ? _("Stopped") : _("Done"))
      : badges[p.kind] || p.kind.charAt(0).toUpperCase() + p.kind.slice(1);
    phaseEl.textContent = v.phase;
    countdown.textContent = v.countdown;
    phaseFill.style.width = `${(100 * v.phaseProgress).toFixed(2)}%`;
    sessionFill.style.width = `${(100 * v.sessionProgress).toFixed(2)}%`;
    p.counters.forEach(([name, value], i) => { cells[i].name.textContent = name; cells[i].value.textContent = value; });
    nextEl.textContent = v.next;
    sessionEl.textContent = v.session;
    // Getting ready shows the movement (start fading into end, timer.css); only
    // once started, so nothing moves for long on a page left open.
    const demo = p.demo && (s.state === "running" || s.state === "paused") ? p.demo : null;
    const key = demo ? demo.join(" ") : p.pose;
    if (key !== poseKey) {
      // Redrawn only on a change: a new drawing would restart the fade.
      poseKey = key;
      const named = (k) => poseWords[k.split("/")[1]] || k.split("/")[1];
      pose.classList.toggle("bk-demo", !!demo);
      if (demo) {
        pose.replaceChildren(...demo.map((k, i) => {
          const layer = h("div", i ? "bk-pose-layer bk-pose-to" : "bk-pose-layer bk-pose-from");
          layer.innerHTML = r.poses[k];
          return layer;
        }));
        pose.setAttribute("aria-label", fill(_("{exercise}: from the {start} position to the {end} position"),
                                             { exercise: p.heading, start: named(demo[0]), end: named(demo[1]) }));
      } else {
        pose.innerHTML = key ? r.poses[key] : "";
        pose.setAttribute("aria-label",
                          key ? fill(_("{exercise}: {pose} position"), { exercise: p.heading, pose: named(key) }) : "");
      }
      pose.style.display = key ? "" : "none";
    }
    if (p.exercise !== cautionsFor) {
      cautionsFor = p.exercise;
      showCautions((r.cautions || {})[p.exercise]);
    }
    const running = s.state === "running" || s.state === "paused";
    startB.disabled = s.state !== "ready";
    pauseB.disabled = !running;
    pauseB.textContent = s.state === "paused" ? _("▶ Resume") : _("❚❚ Pause");
    skipB.disabled = !running;
    backB.disabled = !running;
    stopB.disabled = !running;
    pausedEl.style.display = s.state === "paused" ? "" : "none";
    if (s.state === "finished" && s.stoppedEarly) {
      if (!stopNote.firstChild) {
        stopNote.append(h("div", "bk-stop-lead", _("Stopped. What you did is kept.")));
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
    if (s.state === "running" && nowS() - beat >= JOURNAL_BEAT_S) keep();
    schedule(s, now);
  }

  function showCautions(c) {
    keyEl.replaceChildren();
    keyEl.style.display = c && c.feel ? "" : "none";
    if (c && c.feel) {
      keyEl.append(h("span", "bk-key-title", _("You should feel:") + " "), h("span", "bk-key-text", c.feel));
    }
    cautionsEl.replaceChildren();
    cautionsEl.style.display = c ? "" : "none";
    if (!c) return;
    if (c.mine.length) {
      const mine = h("div", "bk-cautions-mine");
      mine.append(h("div", "bk-cautions-title", fill(_("For you, from your answers ({exercise}):"), { exercise: c.name })));
      const ul = h("ul");
      for (const text of c.mine) ul.append(h("li", "", text));
      mine.append(ul);
      cautionsEl.append(mine);
    }
    if (c.everyone.length) {
      const all = h("div", "bk-cautions-everyone");
      all.append(h("div", "bk-cautions-title", fill(_("Take care ({exercise}):"), { exercise: c.name })));
      const ul = h("ul");
      for (const text of c.everyone) ul.append(h("li", "", text));
      all.append(ul);
      cautionsEl.append(all);
    }
    const all = h("details", "bk-cautions-all");
    const n = c.others.length;
    all.append(h("summary", "", n
      ? fill(ngettext("{n} caution for other conditions, and common mistakes",
                      "{n} cautions for other conditions, and common mistakes", n), { n })
      : _("Common mistakes")));
    for (const [title, items] of [[_("Cautions"), c.others], [_("Common mistakes"), c.mistakes]]) {
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
    for (const [, mark] of p.marks || []) {
      const at = (s.phaseStart + mark - now) * 1000;
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

  const onEvents = () => { keep(); draw(); };
  model.on("change:events", onEvents);
  const found = leftBehind();
  if (found) offer(found);
  // Colours and sizes resolve only once the element is in the page: draw now and again.
  draw();
  requestAnimationFrame(() => draw());

  return () => {
    clearTimeout(timer);
    lock.close();
    voice.close();
    model.off("change:events", onEvents);
    model.off("change:sound", onSound);
    model.off("change:settled", onSettled);
    window.removeEventListener("beforeunload", onLeave);
    window.removeEventListener("pagehide", onHide);
    if (copyKey) LIVE.delete(copyKey);
    document.removeEventListener("fullscreenchange", onFullscreen);
  };
}

export default { render };
