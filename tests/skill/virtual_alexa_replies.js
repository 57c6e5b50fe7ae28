// Drive the skill's local /alexa endpoint with virtual-alexa and the project's own interaction model.
// Usage: node virtual_alexa_replies.js plan.json
// plan.json: {"url", "model", "locale", "applicationId", "conversations": [[step, ...], ...]}
// A step is {"utter": "..."}, {"launch": true} or {"intend": "AMAZON.FallbackIntent"}; each conversation
// starts a new session. Prints one JSON array per conversation with what the skill said at each step.
"use strict";

const fs = require("fs");
const va = require("virtual-alexa");

function replyOf(step, response) {
  const body = response || {};
  const inner = body.response || {};
  const speech = inner.outputSpeech ? inner.outputSpeech.ssml || inner.outputSpeech.text || "" : "";
  const reprompt = inner.reprompt && inner.reprompt.outputSpeech ? inner.reprompt.outputSpeech.ssml || "" : "";
  const card = inner.card ? { title: inner.card.title, content: inner.card.content } : null;
  return { step, speech, reprompt, card, endSession: inner.shouldEndSession === true };
}

async function run(plan) {
  const results = [];
  for (const conversation of plan.conversations) {
    const alexa = va.VirtualAlexa.Builder()
      .skillURL(plan.url)
      .interactionModelFile(plan.model)
      .locale(plan.locale)
      .applicationID(plan.applicationId)
      .create();
    const replies = [];
    for (const step of conversation) {
      let response;
      try {
        if (step.launch) response = await alexa.launch();
        else if (step.intend) response = await alexa.intend(step.intend, step.slots || {});
        else response = await alexa.utter(step.utter);
        replies.push(replyOf(step, response));
      } catch (error) {
        replies.push({ step, error: String(error && error.message ? error.message : error) });
      }
    }
    results.push(replies);
  }
  return results;
}

run(JSON.parse(fs.readFileSync(process.argv[2], "utf8")))
  .then((results) => process.stdout.write(JSON.stringify(results) + "\n"))
  .catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
    process.exit(1);
  });
