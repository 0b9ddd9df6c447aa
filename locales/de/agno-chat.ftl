# Die Oberfläche von agno-chat auf Deutsch. Jede Nachricht der englischen Datei steht
# auch hier (ein Test prüft es).

-app = agno-chat
language-name = Deutsch
language = Sprache
not-found = Seite nicht gefunden.

## Kopfzeile und Layout

show-hide-chats = Deine Chats ein- oder ausblenden
your-chats = Deine Chats
theme-system = Design: System
theme-light = Design: hell
theme-dark = Design: dunkel
shortcuts = Tastenkürzel

## Meldungen und Tastenkürzel

delete-failed = Der Chat konnte nicht gelöscht werden: { $error }
connected-again = Wieder verbunden.
copy-failed = Der Browser hat das Kopieren nicht erlaubt.
key-shift = Umschalt
key-ctrl = Strg
shortcut-new-chat = Neuer Chat
shortcut-focus-composer = Zum Eingabefeld
shortcut-search-chats = Deine Chats durchsuchen
shortcut-stop = Antwort stoppen (im Eingabefeld)
shortcut-toggle-sidebar = Deine Chats ein- oder ausblenden
shortcut-show = Diese Tastenkürzel zeigen

## Seitenleiste

new-chat = Neuer Chat
search-chats = Chats durchsuchen
loading = Wird geladen…
load-more = Mehr laden
no-chats = Noch keine Chats.
chats-failed = Deine Chats konnten nicht geladen werden: { $error }
rename-chat = Chat umbenennen
rename = Umbenennen
delete-chat = Chat löschen
delete = Löschen
chat-name = Name des Chats
save = Speichern
cancel = Abbrechen
delete-confirm = Diesen Chat löschen?
keep = Behalten
group-today = Heute
group-yesterday = Gestern
group-week = Letzte 7 Tage
group-month = Letzte 30 Tage
group-older = Älter

## Auswahl

loading-agents = Agenten werden geladen…
agent-or-team = Agent oder Team
agents = Agenten
teams = Teams

## Unterhaltung

conversation = Unterhaltung
chat-with = Chat mit { $name }
loading-conversation = Die Unterhaltung wird geladen…
messages = Nachrichten
jump-to-latest = Zur neuesten Nachricht ↓
you-said = Du hast geschrieben:
you = Du
export = Exportieren
export-markdown = Markdown
export-json = JSON (mit Werkzeugaufrufen)
export-title = Diese Unterhaltung so herunterladen, wie sie angezeigt wird
export-failed = Die Unterhaltung konnte nicht exportiert werden: { $error }
share = Teilen
shared = Geteilt
share-title = Einen Link zum Lesen dieser Unterhaltung teilen
share-explain = Jeder mit dem Link kann diese Unterhaltung so lesen, wie sie jetzt ist, ohne sich anzumelden. Später gesendete Nachrichten erscheinen erst, wenn du den Link aktualisierst.
share-create = Link erstellen
share-link = Link zu dieser Unterhaltung
share-copy = Link kopieren
share-update = Auf den angezeigten Stand bringen
share-stop = Nicht mehr teilen
share-state = Geteilt { $date }: { $count ->
    [one] eine Antwort
   *[other] { $count } Antworten
    }, so wie sie damals waren. Spätere Nachrichten erscheinen erst, wenn du den Link aktualisierst.
share-failed = Teilen fehlgeschlagen: { $error }
share-unsaved = Sende zuerst eine Nachricht: Noch gibt es nichts zu teilen.
feedback = Rückmeldung
feedback-good = Gute Antwort
feedback-bad = Schlechte Antwort
feedback-comment = Was war gut oder schlecht? (optional)
feedback-save = Rückmeldung senden
feedback-too-long = Der Kommentar ist zu lang: Höchstens 2.000 Zeichen werden behalten.
feedback-commented = Kommentiert
feedback-unsaved = Eine Rückmeldung ist möglich, sobald die Unterhaltung gespeichert ist.
sent-at = Gesendet { $time }
search-conversation = Diese Unterhaltung durchsuchen
search-none = Keine Treffer
search-position = { $index } von { $count }
search-found = { $count } gefunden

## Eingabe

message = Nachricht
composer-placeholder = Nachricht eingeben… (Enter sendet, Umschalt+Enter für eine neue Zeile)
too-long = { $count } / { $max } Zeichen: zu lang zum Senden.
send = Senden
input-empty = Schreib zuerst eine Nachricht.
input-too-long = Deine Nachricht ist { $len } Zeichen lang; erlaubt sind { $max }. Kürze sie und sende sie noch einmal.
stop = Stopp
choose-first = Wähle zuerst einen Agenten oder ein Team.
wait-or-stop = Warte, bis die Antwort fertig ist, oder stoppe sie zuerst.

## Antworten

status-waiting = Warten…
status-answering = Antwortet…
status-stopped = Gestoppt
status-failed = Fehlgeschlagen
status-paused = Wartet auf deine Entscheidung
status-interrupted = Unterbrochen
reasoning = Überlegungen
paused-note = Der Agent wartet auf eine Entscheidung
paused-note-on = Der Agent wartet auf eine Entscheidung zu: { $tools }
tool-running = läuft
tool-done = fertig
tool-failed = fehlgeschlagen
tool-waiting = wartet auf dich
tool-stopped = gestoppt
tool-unfinished = nicht beendet
tool-no-arguments = (keine)
retry = Erneut versuchen
copy-answer = Antwort kopieren
regenerate = Neu erzeugen
edit-question = Bearbeiten
edit-label = Ihre Nachricht, bearbeitet
version = { $at } / { $count }
version-label = Version { $at } von { $count }
previous-version = Vorherige Version
next-version = Nächste Version
copied = Kopiert
copy = Kopieren
copy-code = Code kopieren
details = Details
tokens-in-out = Tokens rein / raus
time-to-first-token = Zeit bis zum ersten Token
duration = Dauer
arguments = Argumente
result = Ergebnis
rejected = Abgelehnt
rejected-because = Abgelehnt: { $note }
drawing = Wird gezeichnet…
not-shown = Dieser Teil der Antwort kann nicht angezeigt werden: { $reason }
artifact = Artefakt
open-artifact = „{ $title }“ öffnen
close-panel = Bereich schließen
close = Schließen
chart = Diagramm
chart-description =
    { $kind ->
        [line] Liniendiagramm von { $series } nach { $axis }.
        [area] Flächendiagramm von { $series } nach { $axis }.
        [pie] Kreisdiagramm von { $series } nach { $axis }.
        [scatter] Streudiagramm von { $series } nach { $axis }.
       *[bar] Balkendiagramm von { $series } nach { $axis }.
    }
table-pages = Tabellenseiten
previous = Zurück
next = Weiter
page-of = Seite { $page } von { $pages }

## Was Screenreader während einer Antwort ansagen

announce-sent = Nachricht gesendet. Warte auf die Antwort.
announce-version = Eine andere Version wird angezeigt.
announce-started = Der Agent antwortet.
announce-tool-started = Werkzeug { $tool } läuft.
announce-tool-finished = Werkzeug { $tool } ist fertig.
announce-tool-failed = Ein Werkzeug ist fehlgeschlagen.
announce-completed = Antwort fertig.
announce-failed = Die Antwort ist fehlgeschlagen: { $error }
announce-stopped = Antwort gestoppt.
announce-paused = Der Agent wartet auf deine Entscheidung.
announce-stopping = Die Antwort wird gestoppt.
announce-decision-sent = Entscheidung gesendet. Der Agent macht weiter.
reconnecting = Verbindung zur Antwort wird wiederhergestellt…

## Fehler

send-failed = Die Nachricht konnte nicht gesendet werden: { $error }
resume-failed = Die Antwort konnte nicht fortgesetzt werden: { $error }
connection-lost = Die Verbindung zum Chat-Server ist abgebrochen ({ $error }); die bisherige Antwort bleibt erhalten.
connection-closed = Die Verbindung wurde vor dem Ende der Antwort geschlossen; die bisherige Antwort bleibt erhalten.
conversation-stale = Diese Unterhaltung wird so gezeigt, wie der Server sie zuletzt gesehen hat: Neuere Nachrichten konnten nicht gesucht werden, solange der Agentendienst nicht antwortet.
conversation-waiting = Diese Unterhaltung konnte nicht geladen werden, solange der Agentendienst nicht antwortet. Sie lädt von selbst, sobald der Dienst wieder da ist.
conversation-gone = Diese Unterhaltung gibt es nicht mehr, deshalb wurde eine neue begonnen.
conversation-failed = Diese Unterhaltung konnte nicht geladen werden: { $error }
agentos-silent = AgentOS antwortet nicht

## Mensch in der Schleife

hitl-loading = Was der Agent braucht, wird geladen…
hitl-needs-decision = Der Agent braucht deine Entscheidung
hitl-load-failed = Worauf der Agent wartet, konnte nicht geladen werden: { $error }
hitl-gone = Diese Antwort wartet nicht mehr auf eine Entscheidung. Lade die Seite neu, um zu sehen, wie es weiterging.
try-again = Erneut versuchen
hitl-allow = Darf das Werkzeug { $tool } ausgeführt werden?
hitl-note = Notiz für den Agenten (optional)
approve = Erlauben
reject = Ablehnen
hitl-frontend-tool = Browser-Werkzeug { $tool }
hitl-ran = In deinem Browser ausgeführt.
hitl-running = Läuft in deinem Browser…
hitl-could-not-run = Konnte in diesem Browser nicht ausgeführt werden. { $error }
hitl-needs-details = Das Werkzeug { $tool } braucht noch einige Angaben.

## Chat nicht erreichbar

unavailable-title = Chat nicht erreichbar
unavailable-text = Der Assistent ist gerade nicht erreichbar. Deine Nachricht bleibt erhalten, und der Chat kommt von selbst zurück, sobald der Dienst antwortet.
retry-in =
    { $seconds ->
        [one] Neuer Versuch in { $seconds } Sekunde.
       *[other] Neuer Versuch in { $seconds } Sekunden.
    }
retrying = Neuer Versuch…
retry-now = Jetzt erneut versuchen

## Anmelden (das Kontomenü)
sign-out = Abmelden
account-menu = Konto
try-again = Erneut versuchen
back-to-chat = Zurück zum Chat

## Anhänge und Medien
attach-files = Dateien anhängen
attachments = Anhänge
remove-file = { $name } entfernen
uploading = Hochladen
uploading-percent = Wird hochgeladen … { $percent } %
upload-cancelled = Das Hochladen wurde abgebrochen; deine Nachricht und die Dateien sind noch da.
upload-failed = Die Dateien konnten nicht hochgeladen werden. Prüfe deine Verbindung und sende noch einmal.
attach-too-many = Mit einer Nachricht können höchstens { $limit } Dateien gesendet werden.
attach-empty = { $name } ist leer.
attach-too-large = { $name } ist größer als { $limit } MB, das Höchste für eine Datei.
attach-message-too-large = Diese Dateien sind zusammen größer als { $limit } MB, das Höchste für eine Nachricht.
attach-kind = { $name }: Diese Art von Datei kann nicht gesendet werden.
drop-files = Dateien hier ablegen, um sie anzuhängen
open-image = { $name } öffnen
image-viewer = Bildansicht
download = Herunterladen
media-not-stored = Diese Datei wurde nicht gespeichert und kann nicht mehr geöffnet werden.
sources = Quellen

## Seiten außerhalb der App: Anmelden, und was nicht verfügbar ist (nur die Seiten des Servers
## tragen diese, die App nicht)
signed-out-title = Sie sind abgemeldet
signed-out-text = Melden Sie sich wieder an, um zu Ihren Unterhaltungen zurückzukehren.
sign-in = Anmelden
sign-in-failed-title = Die Anmeldung wurde nicht abgeschlossen
sign-in-failed-text = { $reason } Bitte melden Sie sich erneut an.
sign-in-expired = Dieser Anmeldelink ist abgelaufen oder wurde schon benutzt.
sign-in-refused = Die Antwort des Identitätsanbieters wurde nicht angenommen.
sign-in-denied = Der Identitätsanbieter hat Sie nicht angemeldet.
provider-down-title = Die Anmeldung ist gerade nicht möglich
provider-down-text = Der Identitätsanbieter ist nicht erreichbar. Ihre Unterhaltungen sind sicher; versuchen Sie es gleich noch einmal.
forbidden-title = Für Sie nicht verfügbar
admin-only-text = Nur Administratoren sehen die Nutzung aller. Ihre eigene Nutzung steht auf der Seite „Meine Nutzung“.
forbidden-text = Ihre Rolle umfasst diesen Agenten oder dieses Team nicht. Fragen Sie die Betreiber dieses Chats, wenn Sie ihn brauchen.

## Seiten außerhalb der App: ein geteiltes Gespräch

share-page-title = Geteilte Unterhaltung
share-page-note = Eine schreibgeschützte Kopie, geteilt { $date }. Spätere Nachrichten werden nicht gezeigt.
share-page-tools = Verwendet: { $tools }
share-page-footer = Geteilt aus agno-chat. Nur wer sie geteilt hat, kann sie aktualisieren oder das Teilen beenden.
share-not-found-title = Dieser Link funktioniert nicht
share-not-found = Die Unterhaltung ist nicht geteilt, oder das Teilen wurde beendet.
share-unavailable-title = Gerade nicht verfügbar
share-unavailable = Die Unterhaltung kann gerade nicht angezeigt werden. Versuche es gleich noch einmal.

## Usage pages
my-usage = Meine Nutzung
everyones-usage = Nutzung aller
usage-answers = Antworten
usage-tokens = Tokens
usage-cost = Geschätzte Kosten
usage-budgets = Budgets
usage-no-budgets = Kein Budget begrenzt Ihre Nutzung.
usage-budget-status = { $used } verbraucht, { $remaining } übrig. Beginnt neu { $resets }.
usage-from = Von
usage-to = Bis
usage-show = Anzeigen
usage-csv = CSV herunterladen
usage-people = { $count ->
    [one] Eine Person
   *[other] { $count } Personen
}
