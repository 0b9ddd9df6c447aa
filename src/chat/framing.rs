//! agno-chat's stream framing: one JSON [`RunEvent`] per line. The browser receives the
//! body in arbitrary chunks, so [`LineDecoder`] buffers bytes until whole lines arrive
//! (never splitting a UTF-8 character).

use super::event::{FailureKind, RunEvent};

/// Encodes one event as a line (with its trailing newline).
pub fn encode(event: &RunEvent) -> Vec<u8> {
    let mut line = serde_json::to_vec(event).unwrap_or_else(|_| b"{}".to_vec());
    line.push(b'\n');
    line
}

/// Splits a byte stream into events.
#[derive(Default)]
pub struct LineDecoder {
    buf: Vec<u8>,
}

impl LineDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk; returns the events of every complete line in it. An unreadable line
    /// becomes a `Failed` event instead of stopping the stream.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<RunEvent> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|b| *b == b'\n') {
            let line = &self.buf[start..start + pos];
            start += pos + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(decode_line(line));
        }
        self.buf.drain(..start);
        out
    }

    /// Whatever is left when the stream ends (a last line without newline).
    pub fn finish(&mut self) -> Option<RunEvent> {
        let rest = std::mem::take(&mut self.buf);
        (!rest.iter().all(u8::is_ascii_whitespace)).then(|| decode_line(&rest))
    }
}

fn decode_line(line: &[u8]) -> RunEvent {
    serde_json::from_slice(line).unwrap_or_else(|e| RunEvent::Failed {
        kind: FailureKind::Upstream,
        message: format!("The chat server sent an unreadable event ({e})."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reassembles_lines_split_anywhere_even_inside_utf8() {
        let events = vec![
            RunEvent::Content {
                text: "héllo 👋".into(),
            },
            RunEvent::Reasoning {
                text: "ünïcödé".into(),
            },
            RunEvent::ContentCompleted,
        ];
        let bytes: Vec<u8> = events.iter().flat_map(encode).collect();
        for chunk in 1..7 {
            let mut d = LineDecoder::new();
            let mut got = Vec::new();
            for c in bytes.chunks(chunk) {
                got.extend(d.push(c));
            }
            assert_eq!(d.finish(), None);
            assert_eq!(got, events, "chunk size {chunk}");
        }
    }

    #[test]
    fn bad_lines_become_failures() {
        let mut d = LineDecoder::new();
        let got = d.push(b"not json\n");
        assert!(matches!(
            got[0],
            RunEvent::Failed {
                kind: FailureKind::Upstream,
                ..
            }
        ));
        assert!(d.push(b"{\"type\":\"content_completed\"}").is_empty());
        assert_eq!(d.finish(), Some(RunEvent::ContentCompleted));
    }
}
