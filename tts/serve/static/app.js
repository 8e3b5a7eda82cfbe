// The page of `tts serve`: voices from GET /api/voices, speech from POST /api/speak (a WAV and the
// mel of it, as JSON). Plain JS, no libraries: the machine may be offline.
"use strict";

const $ = (id) => document.getElementById(id);
let voices = [];
let audioUrl = null;

function option(select, value, label) {
  const item = document.createElement("option");
  item.value = value;
  item.textContent = label;
  select.appendChild(item);
}

function showVoice() {
  const voice = voices.find((v) => v.name === $("voice").value);
  for (const id of ["language", "speaker", "vocoder"]) $(id).replaceChildren();
  voice.languages.forEach((code) => option($("language"), code, code));
  if (voice.speakers.length) voice.speakers.forEach((name, i) => option($("speaker"), String(i), name));
  else option($("speaker"), "0", "the one speaker");
  option($("vocoder"), "auto", `auto (${voice.default_vocoder})`);
  voice.vocoders.forEach((kind) => option($("vocoder"), kind, kind));
}

function setStatus(message, error = false) {
  $("status").textContent = message;
  $("status").className = error ? "error" : "";
}

function bytesOf(base64) {
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// A dark-to-bright colour ramp (black, purple, orange, pale yellow) for values 0-255.
const STOPS = [[0, 0, 0, 4], [0.35, 110, 30, 130], [0.7, 240, 110, 40], [1, 252, 250, 190]];
function colour(value) {
  const x = value / 255;
  for (let i = 1; i < STOPS.length; i++) {
    if (x <= STOPS[i][0]) {
      const [x0, ...a] = STOPS[i - 1];
      const [x1, ...b] = STOPS[i];
      const t = (x - x0) / (x1 - x0);
      return a.map((c, k) => Math.round(c + t * (b[k] - c)));
    }
  }
  return STOPS[STOPS.length - 1].slice(1);
}

function drawMel(mel) {
  const canvas = $("mel");
  canvas.width = mel.frames;
  canvas.height = mel.bands;
  const context = canvas.getContext("2d");
  const image = context.createImageData(mel.frames, mel.bands);
  const cells = bytesOf(mel.data); // frame after frame, bands from the lowest up
  for (let frame = 0; frame < mel.frames; frame++) {
    for (let band = 0; band < mel.bands; band++) {
      const [r, g, b] = colour(cells[frame * mel.bands + band]);
      const at = 4 * ((mel.bands - 1 - band) * mel.frames + frame);
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

async function speak(event) {
  event.preventDefault();
  const request = {
    input: $("text").value,
    voice: $("voice").value,
    language: $("language").value,
    speaker: Number($("speaker").value),
    vocoder: $("vocoder").value,
    sigma: Number($("sigma").value),
    speed: Number($("speed").value),
  };
  $("speak").disabled = true;
  setStatus("speaking…");
  try {
    const response = await fetch("/api/speak", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
    if (audioUrl) URL.revokeObjectURL(audioUrl);
    audioUrl = URL.createObjectURL(new Blob([bytesOf(answer.audio)], { type: "audio/wav" }));
    $("audio").src = audioUrl;
    $("download").href = audioUrl;
    $("about").textContent =
      `${answer.seconds.toFixed(2)} s at ${answer.sample_rate} Hz: voice ${answer.voice}, ` +
      `${answer.language}, speaker ${answer.speaker}, ${answer.vocoder}`;
    drawMel(answer.mel);
    $("result").hidden = false;
    setStatus("");
    $("audio").play().catch(() => {}); // a browser may ask for a click first: the controls are there
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    $("speak").disabled = false;
  }
}

async function start() {
  try {
    const response = await fetch("/api/voices");
    voices = (await response.json()).voices;
  } catch (error) {
    setStatus(`cannot list the voices: ${error.message}`, true);
    return;
  }
  voices.forEach((v) => option($("voice"), v.name, `${v.name} (${v.languages.join(", ")})`));
  $("voice").addEventListener("change", showVoice);
  $("speak-form").addEventListener("submit", speak);
  showVoice();
  document.body.dataset.ready = "true";
}

start();
