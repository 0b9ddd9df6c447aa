# agno-chat's interface in English: the language every other one is checked against.
# Messages use text, { $variables }, terms and one choice ({ $n -> ... }) at most; see
# docs/languages.md.

-app = agno-chat
language-name = English
language = Language
not-found = Page not found.

## Page header and layout

show-hide-chats = Show or hide your chats
your-chats = Your chats
theme-system = Theme: system
theme-light = Theme: light
theme-dark = Theme: dark
shortcuts = Keyboard shortcuts

## Toasts and shortcuts

delete-failed = The chat could not be deleted: { $error }
connected-again = Connected again.
copy-failed = The browser did not allow copying.
key-shift = Shift
key-ctrl = Ctrl
shortcut-new-chat = New chat
shortcut-focus-composer = Go to the message box
shortcut-search-chats = Search your chats
shortcut-stop = Stop the answer (in the message box)
shortcut-toggle-sidebar = Show or hide your chats
shortcut-show = Show these shortcuts

## Sidebar

new-chat = New chat
search-chats = Search chats
loading = Loading…
load-more = Load more
no-chats = No chats yet.
chats-failed = Could not load your chats: { $error }
rename-chat = Rename chat
rename = Rename
delete-chat = Delete chat
delete = Delete
chat-name = Chat name
save = Save
cancel = Cancel
delete-confirm = Delete this chat?
keep = Keep
group-today = Today
group-yesterday = Yesterday
group-week = Previous 7 days
group-month = Previous 30 days
group-older = Older

## Picker

loading-agents = Loading agents…
agent-or-team = Agent or team
agents = Agents
teams = Teams

## Conversation

conversation = Conversation
chat-with = Chat with { $name }
loading-conversation = Loading the conversation…
messages = Messages
jump-to-latest = Jump to latest ↓
you-said = You said:
you = You
export = Export
export-markdown = Markdown
export-json = JSON (with tool calls)
export-title = Download this conversation as shown
export-failed = The conversation could not be exported: { $error }
share = Share
shared = Shared
share-title = Share a read-only link to this conversation
share-explain = Anyone with the link can read this conversation as it is now, without signing in. Messages sent later are not shown until you update the link.
share-create = Create link
share-link = Link to this conversation
share-copy = Copy link
share-update = Update to what is on screen
share-stop = Stop sharing
share-state = Shared { $date }: { $count ->
    [one] one answer
   *[other] { $count } answers
    }, as they were then. Later messages are not shown until you update the link.
share-failed = Sharing failed: { $error }
share-unsaved = Send a message first: there is nothing to share yet.
feedback = Feedback
feedback-good = Good answer
feedback-bad = Bad answer
feedback-comment = What was good or bad? (optional)
feedback-save = Send feedback
feedback-too-long = The comment is too long: at most 2,000 characters are kept.
feedback-commented = Commented
feedback-unsaved = Feedback can be given once the conversation is saved.
sent-at = Sent { $time }
search-conversation = Search this conversation
search-none = No matches
search-position = { $index } of { $count }
search-found = { $count } found

## Composer

message = Message
composer-placeholder = Type a message… (Enter to send, Shift+Enter for a new line)
too-long = { $count } / { $max } characters: too long to send.
send = Send
input-empty = Type a message first.
input-too-long = Your message is { $len } characters long; the limit is { $max }. Shorten it and send again.
stop = Stop
choose-first = Choose an agent or team first.
wait-or-stop = Wait for the answer to finish, or stop it first.

## Answers

status-waiting = Waiting…
status-answering = Answering…
status-stopped = Stopped
status-failed = Failed
status-paused = Waiting for your decision
status-interrupted = Interrupted
reasoning = Reasoning
paused-note = The agent is waiting for a decision
paused-note-on = The agent is waiting for a decision on: { $tools }
tool-running = running
tool-done = done
tool-failed = failed
tool-waiting = waiting for you
tool-stopped = stopped
tool-unfinished = not finished
tool-no-arguments = (none)
retry = Retry
copy-answer = Copy answer
regenerate = Regenerate
edit-question = Edit
edit-label = Your message, edited
version = { $at } / { $count }
version-label = Version { $at } of { $count }
previous-version = Previous version
next-version = Next version
copied = Copied
copy = Copy
copy-code = Copy code
details = Details
tokens-in-out = Tokens in / out
time-to-first-token = Time to first token
duration = Duration
arguments = Arguments
result = Result
rejected = Rejected
rejected-because = Rejected: { $note }
drawing = Drawing…
not-shown = This part of the answer could not be shown: { $reason }
artifact = Artifact
open-artifact = Open “{ $title }”
close-panel = Close the panel
close = Close
chart = Chart
chart-description =
    { $kind ->
        [line] Line chart of { $series } by { $axis }.
        [area] Area chart of { $series } by { $axis }.
        [pie] Pie chart of { $series } by { $axis }.
        [scatter] Scatter chart of { $series } by { $axis }.
       *[bar] Bar chart of { $series } by { $axis }.
    }
table-pages = Table pages
previous = Previous
next = Next
page-of = Page { $page } of { $pages }

## What screen readers hear as an answer goes on

announce-sent = Message sent. Waiting for the answer.
announce-version = Another version is shown.
announce-started = The agent is answering.
announce-tool-started = Running tool { $tool }.
announce-tool-finished = Tool { $tool } finished.
announce-tool-failed = A tool failed.
announce-completed = Answer complete.
announce-failed = The answer failed: { $error }
announce-stopped = Answer stopped.
announce-paused = The agent is waiting for your decision.
announce-stopping = Stopping the answer.
announce-decision-sent = Decision sent. The agent continues.
reconnecting = Reconnecting to the answer…

## Errors

send-failed = The message could not be sent: { $error }
resume-failed = The answer could not be resumed: { $error }
connection-lost = The connection to the chat server was lost ({ $error }); the answer so far is kept.
connection-closed = The connection closed before the answer finished; the answer so far is kept.
conversation-stale = This conversation is shown as the server last saw it: newer messages could not be looked for while the agent service is not answering.
conversation-waiting = This conversation could not be loaded while the agent service is not answering. It will load by itself when the service is back.
conversation-gone = That conversation is no longer available, so a new one was started.
conversation-failed = This conversation could not be loaded: { $error }
agentos-silent = AgentOS is not answering

## Human in the loop

hitl-loading = Loading what the agent needs…
hitl-needs-decision = The agent needs your decision
hitl-load-failed = What the agent waits for could not be loaded: { $error }
hitl-gone = This answer is not waiting for a decision any more. Reload to see how it went on.
try-again = Try again
hitl-allow = Allow the tool { $tool } to run?
hitl-note = Note for the agent (optional)
approve = Approve
reject = Reject
hitl-frontend-tool = Frontend tool { $tool }
hitl-ran = Ran in your browser.
hitl-running = Running in your browser…
hitl-could-not-run = Could not run in this browser. { $error }
hitl-needs-details = The tool { $tool } needs some details.

## Chat unavailable

unavailable-title = Chat unavailable
unavailable-text = We can't reach the assistant right now. Your message is kept and the chat comes back by itself as soon as the service answers.
retry-in =
    { $seconds ->
        [one] Trying again in { $seconds } second.
       *[other] Trying again in { $seconds } seconds.
    }
retrying = Trying again…
retry-now = Retry now

## Signing in (the account menu)
sign-out = Sign out
account-menu = Account
try-again = Try again
back-to-chat = Back to the chat

## Attachments and media
attach-files = Attach files
attachments = Attachments
remove-file = Remove { $name }
uploading = Uploading
uploading-percent = Uploading… { $percent } %
upload-cancelled = The upload was cancelled; your message and files are still here.
upload-failed = The files could not be uploaded. Check your connection and send again.
attach-too-many = At most { $limit } files can be sent with one message.
attach-empty = { $name } is empty.
attach-too-large = { $name } is larger than { $limit } MB, the most one file may be.
attach-message-too-large = These files are larger than { $limit } MB together, the most one message may carry.
attach-kind = { $name }: this kind of file cannot be sent.
drop-files = Drop files to attach them
open-image = Open { $name }
image-viewer = Image viewer
download = Download
media-not-stored = This file was not stored, so it cannot be opened again.
sources = Sources

## Pages outside the app: signing in, and what is not available (the server's own pages carry
## these; the app does not)
signed-out-title = You are signed out
signed-out-text = Sign in again to get back to your conversations.
sign-in = Sign in
sign-in-failed-title = Sign-in did not complete
sign-in-failed-text = { $reason } Please sign in again.
sign-in-expired = This sign-in link has expired or was already used.
sign-in-refused = The identity provider's answer was not accepted.
sign-in-denied = The identity provider did not sign you in.
provider-down-title = Sign-in is unavailable right now
provider-down-text = The identity provider cannot be reached. Your conversations are safe; try again in a moment.
forbidden-title = Not available to you
admin-only-text = Only administrators may see everyone’s usage. Your own usage is on the “My usage” page.
forbidden-text = Your role does not include this agent or team. Ask the people who run this chat if you need it.

## Pages outside the app: a shared conversation

share-page-title = Shared conversation
share-page-note = A read-only copy, shared { $date }. Later messages are not shown.
share-page-tools = Used: { $tools }
share-page-footer = Shared from agno-chat. Only the person who shared it can update it or stop sharing it.
share-not-found-title = This link does not work
share-not-found = The conversation is not shared, or its owner stopped sharing it.
share-unavailable-title = Not available right now
share-unavailable = The conversation cannot be shown at the moment. Try again in a little while.

## Usage pages
my-usage = My usage
everyones-usage = Everyone's usage
usage-answers = Answers
usage-tokens = Tokens
usage-cost = Estimated cost
usage-budgets = Budgets
usage-no-budgets = No budget limits what you use.
usage-budget-status = { $used } used, { $remaining } left. Starts again { $resets }.
usage-from = From
usage-to = To
usage-show = Show
usage-csv = Download CSV
usage-people = { $count ->
    [one] One person
   *[other] { $count } people
}
