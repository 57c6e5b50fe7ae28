// The try-it page: a phone that texts the SMS line and a speaker that talks to the Alexa skill, both through
// the server's local-only /try routes. Speech input and output use the Web Speech API where the browser has it.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    let data = {};
    try {
      data = await response.json();
    } catch (_) {
      data = {};
    }
    if (!response.ok) {
      throw new Error(data.error || "The server answered with status " + response.status + ".");
    }
    return data;
  }

  function addItem(list, className, text) {
    const item = document.createElement("li");
    item.className = className;
    item.textContent = text;
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    return item;
  }

  // ---- The phone (SMS) ----------------------------------------------------------------------------------
  const smsLog = document.getElementById("sms-log");
  const smsForm = document.getElementById("sms-form");
  const smsInput = document.getElementById("sms-input");
  const smsSend = document.getElementById("sms-send");
  const smsFrom = document.getElementById("sms-from");
  let smsBusy = false;

  async function sendSms(text) {
    if (smsBusy || !text.trim()) return;
    smsBusy = true;
    smsSend.disabled = true;
    addItem(smsLog, "out", text);
    smsLog.setAttribute("aria-busy", "true");
    try {
      const data = await post("/try/sms", { text: text });
      smsFrom.textContent = data.from;
      if (!data.replies.length) addItem(smsLog, "system", "(No reply: the line stays silent for this message.)");
      data.replies.forEach(function (reply) { addItem(smsLog, "in", reply); });
      if (data.staff_texts) {
        addItem(smsLog, "system", "The clinic's staff phone was texted about this (see the local outbox and the staff inbox).");
      }
    } catch (error) {
      addItem(smsLog, "error", error.message);
    } finally {
      smsLog.removeAttribute("aria-busy");
      smsBusy = false;
      smsSend.disabled = false;
    }
  }

  smsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (smsBusy) return;  // keep the words in the box until the previous text has its answer
    const text = smsInput.value;
    smsInput.value = "";
    sendSms(text);
    smsInput.focus();
  });
  smsInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      smsForm.requestSubmit();
    }
  });
  document.querySelectorAll("[data-send]").forEach(function (button) {
    button.addEventListener("click", function () { sendSms(button.dataset.send); });
  });

  // ---- The speaker (Alexa) ------------------------------------------------------------------------------
  const voiceLog = document.getElementById("voice-log");
  const voiceForm = document.getElementById("voice-form");
  const voiceInput = document.getElementById("voice-input");
  const voiceSay = document.getElementById("voice-say");
  const voiceMic = document.getElementById("voice-mic");
  const voiceEnd = document.getElementById("voice-end");
  const aloud = document.getElementById("voice-aloud");
  const aloudLabel = document.getElementById("voice-aloud-label");
  const ring = document.getElementById("speaker-ring");
  const status = document.getElementById("speaker-status");
  const support = document.getElementById("voice-support");
  const synth = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window ? window.speechSynthesis : null;
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition || null;
  let sessionOpen = false;
  let voiceBusy = false;

  // The seconds Alexa takes to say an answer, as the server measured it (shared/speech.py, 150 words a minute
  // plus the SSML's pauses): the measure behind the skill's spoken-length budgets.
  function secondsLabel(seconds) {
    return (Number(seconds) || 0).toFixed(1) + " s to say";
  }

  function setState(state, message) {
    ring.className = "ring ring-" + state;
    status.textContent = message;
  }

  function speak(text) {
    if (!synth || !aloud.checked || !text) return;
    synth.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang === "en" ? "en-US" : document.documentElement.lang;
    utterance.onend = function () {
      setState(sessionOpen ? "open" : "idle", sessionOpen ? "Listening for your answer. Type or speak it." : "Session ended.");
    };
    setState("speaking", "Speaking…");
    synth.speak(utterance);
  }

  async function say(text) {
    if (voiceBusy || !text.trim()) return;
    voiceBusy = true;
    voiceSay.disabled = true;
    const said = addItem(voiceLog, "you", text);
    setState("thinking", "Thinking…");
    try {
      const data = await post("/try/alexa", { text: text });
      const heard = document.createElement("span");
      heard.className = "heard";
      heard.textContent = "Understood as " + data.heard;
      said.appendChild(heard);
      const item = addItem(voiceLog, "alexa", data.speech || "(silence)");
      const seconds = document.createElement("span");
      seconds.className = "seconds";
      seconds.textContent = secondsLabel(data.seconds);
      item.appendChild(seconds);
      if (data.reprompt && !data.ends_session) {
        const reprompt = document.createElement("span");
        reprompt.className = "reprompt";
        reprompt.textContent = "If you say nothing, it asks again (" + secondsLabel(data.reprompt_seconds) + "): "
          + data.reprompt;
        item.appendChild(reprompt);
      }
      if (data.card_text) {
        const card = document.createElement("span");
        card.className = "card";
        card.textContent = (data.card_title ? data.card_title + "\n" : "") + data.card_text;
        item.appendChild(card);
      }
      (data.texts || []).forEach(function (text) {
        smsFrom.textContent = data.phone;
        addItem(smsLog, "system", "Text from the Alexa skill to this phone:");
        addItem(smsLog, "in", text);
      });
      sessionOpen = !data.ends_session;
      setState(sessionOpen ? "open" : "idle",
        sessionOpen ? "Listening for your answer. Type or speak it." : "Session ended. Say something to start again.");
      speak(data.speech);
    } catch (error) {
      sessionOpen = false;
      addItem(voiceLog, "error", error.message);
      setState("idle", "Something went wrong. Try again.");
    } finally {
      voiceBusy = false;
      voiceSay.disabled = false;
    }
  }

  voiceForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (voiceBusy) return;
    const text = voiceInput.value;
    voiceInput.value = "";
    say(text);
    voiceInput.focus();
  });

  voiceEnd.addEventListener("click", async function () {
    if (synth) synth.cancel();
    try {
      await post("/try/alexa/end");
      sessionOpen = false;
      addItem(voiceLog, "system", "You walked away from the speaker: the session ended.");
      setState("idle", "Session ended. Say something to start again.");
    } catch (error) {
      addItem(voiceLog, "error", error.message);
    }
  });

  if (synth) {
    aloudLabel.hidden = false;
  }
  if (Recognition) {
    document.querySelectorAll(".speech-only").forEach(function (node) { node.hidden = false; });
    voiceMic.hidden = false;
    let listening = null;
    voiceMic.addEventListener("click", function () {
      if (listening) {
        listening.stop();
        return;
      }
      if (synth) synth.cancel();
      const recognition = new Recognition();
      recognition.lang = "en-US";
      recognition.interimResults = false;
      recognition.maxAlternatives = 1;
      recognition.onresult = function (event) {
        const transcript = event.results[0][0].transcript;
        voiceInput.value = "";
        say(transcript);
      };
      recognition.onerror = function (event) {
        addItem(voiceLog, "error", "The microphone did not catch that (" + event.error + "). Type it instead.");
      };
      recognition.onend = function () {
        listening = null;
        voiceMic.setAttribute("aria-pressed", "false");
        voiceMic.textContent = "Speak";
        if (!voiceBusy) setState(sessionOpen ? "open" : "idle", sessionOpen ? "Waiting for your answer." : "Ready.");
      };
      listening = recognition;
      voiceMic.setAttribute("aria-pressed", "true");
      voiceMic.textContent = "Stop listening";
      setState("listening", "Listening… speak now.");
      recognition.start();
    });
  }
  support.textContent = (Recognition ? "Speech input works in this browser. " : "This browser cannot take speech input; type instead. ")
    + (synth ? "Answers can be read aloud." : "This browser cannot read answers aloud.");

  // ---- Start again ------------------------------------------------------------------------------------
  document.getElementById("reset").addEventListener("click", async function () {
    if (synth) synth.cancel();
    try {
      const data = await post("/try/reset");
      smsLog.replaceChildren();
      voiceLog.replaceChildren();
      sessionOpen = false;
      smsFrom.textContent = data.from;
      addItem(smsLog, "system", "New phone: " + data.from);
      setState("idle", "Ready. Nothing said yet.");
    } catch (error) {
      addItem(smsLog, "error", error.message);
    }
  });
})();
