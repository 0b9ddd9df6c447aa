//! Reads an AgentOS run stream (Server-Sent Events) into typed frames. SSE decoding is
//! done by the `eventsource-stream` crate (frames split anywhere across chunks, including
//! inside a UTF-8 character); each frame is then read by [`crate::chat::upstream`].

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};

use crate::chat::upstream::{parse_frame, FrameError, Upstream};

/// One decoded upstream frame, or why the stream could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Parsed(Upstream),
    /// A frame whose JSON was malformed: logged and skipped by the proxy.
    Malformed(FrameError),
    /// The byte stream itself failed (connection dropped, invalid UTF-8).
    Broken(String),
}

/// Decodes a byte stream of SSE into frames.
pub fn frames<S, E>(bytes: S) -> impl Stream<Item = Frame>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    bytes.eventsource().map(|item| match item {
        Ok(ev) => match parse_frame(&ev.event, &ev.data) {
            Ok(u) => Frame::Parsed(u),
            Err(e) => Frame::Malformed(e),
        },
        Err(e) => Frame::Broken(e.to_string()),
    })
}
