//! Parsing client frames and rendering server frames, against the documented shapes.

use serde_json::{Value, json};

use super::*;

fn refusal(text: &str) -> (Option<&str>, Refusal) {
    parse(text).expect_err("the frame should be refused")
}

#[test]
fn join_and_leave_parse() {
    let join = parse(r#"{"type":"join","room":"lobby","ref":"1","since":41}"#).unwrap();
    assert_eq!(join.reference, Some("1"));
    let Request::Join { room, since } = join.request else { panic!("not a join") };
    assert_eq!((room.as_str(), since), ("lobby", Some(41)));
    let leave = parse(r#"{"type":"leave","room":"lobby","ref":"2"}"#).unwrap();
    assert!(matches!(leave.request, Request::Leave { .. }));
}

#[test]
fn publish_and_ping_parse() {
    let publish =
        parse(r#"{"type":"publish","room":"lobby","body":{"a":[1,2]},"ref":"3"}"#).unwrap();
    let Request::Publish { body, .. } = publish.request else { panic!("not a publish") };
    assert_eq!(body.get(), r#"{"a":[1,2]}"#);
    let ping = parse(r#"{"type":"ping","ref":"4"}"#).unwrap();
    assert!(matches!(ping.request, Request::Ping));
    assert!(parse(r#"{"type":"ping"}"#).unwrap().reference.is_none());
    let reauth = parse(r#"{"type":"reauth","token":"a.b.c","ref":"5"}"#).unwrap();
    assert!(matches!(reauth.request, Request::Reauth { token: "a.b.c" }));
}

#[test]
fn malformed_frames_are_bad_requests_with_their_ref_when_readable() {
    let cases = [
        ("not json", None),
        (r#"{"room":"lobby"}"#, None),
        (r#"{"type":"dance","ref":"9"}"#, Some("9")),
        (r#"{"type":"join","ref":"9"}"#, Some("9")),
        (r#"{"type":"join","room":"no spaces","ref":"9"}"#, Some("9")),
        (r#"{"type":"publish","room":"lobby","ref":"9"}"#, Some("9")),
        (r#"{"type":"reauth","ref":"9"}"#, Some("9")),
        (r#"{"type":"join","room":"lobby","since":-1,"ref":"9"}"#, Some("9")),
        (r#"{"type":"join","room":"lobby","since":"1","ref":"9"}"#, Some("9")),
        (r#"{"type":7,"ref":"9"}"#, Some("9")),
        (r#"{"type":"join","room":"lobby","since":-1}"#, None),
    ];
    for (text, reference) in cases {
        let (found, refusal) = refusal(text);
        assert_eq!(found, reference, "{text}");
        assert_eq!(refusal.code, ErrorCode::BadRequest, "{text}");
        assert!(!refusal.message.is_empty());
    }
}

#[test]
fn long_refs_are_refused_and_not_echoed() {
    let text = json!({"type": "ping", "ref": "r".repeat(65)}).to_string();
    assert_eq!(refusal(&text).0, None);
    assert_eq!(reference_of(&text), None);
    assert_eq!(reference_of(r#"{"type":"ping","ref":"7"}"#), Some("7"));
    assert_eq!(reference_of("[]"), None);
}

#[test]
fn server_frames_have_the_documented_shapes() {
    let ack: Value =
        serde_json::from_str(&ServerFrame::Ack { reference: Some("1") }.to_json()).unwrap();
    assert_eq!(ack, json!({"type": "ack", "ref": "1"}));
    let pong: Value =
        serde_json::from_str(&ServerFrame::Pong { reference: None }.to_json()).unwrap();
    assert_eq!(pong, json!({"type": "pong"}));
    let error = ServerFrame::Error {
        reference: Some("2"),
        code: ErrorCode::HistoryTruncated,
        message: "gone",
    };
    let error: Value = serde_json::from_str(&error.to_json()).unwrap();
    assert_eq!(
        error,
        json!({"type":"error","ref":"2","code":"history_truncated","message":"gone"})
    );
}

#[test]
fn messages_and_presence_render_with_their_bodies_verbatim() {
    let stored: StoredMessage = serde_json::from_value(json!({
        "id": 42, "prev": 41, "room": "lobby", "from": "ann", "body": {"text": "hi"},
        "ts": "2026-01-01T00:00:00.000Z"
    }))
    .unwrap();
    let frame: Value = serde_json::from_str(&ServerFrame::from(&stored).to_json()).unwrap();
    assert_eq!(
        frame,
        json!({"type":"message","room":"lobby","id":42,"from":"ann","body":{"text":"hi"},
               "ts":"2026-01-01T00:00:00.000Z"})
    );
    let event = PresenceEvent {
        room: RoomName::parse("lobby").unwrap(),
        event: PresenceKind::Left,
        user: "bob".into(),
    };
    let frame: Value = serde_json::from_str(&ServerFrame::from(&event).to_json()).unwrap();
    assert_eq!(frame, json!({"type":"presence","room":"lobby","event":"left","user":"bob"}));
}

#[test]
fn the_asyncapi_document_names_every_frame_and_code() {
    let document = include_str!("../../asyncapi.yaml");
    let frames = [
        "join", "leave", "publish", "ping", "reauth", "ack", "pong", "error", "message", "presence",
    ];
    for frame in frames {
        assert!(document.contains(&format!("name: {frame}\n")), "{frame}");
    }
    let codes = [
        ErrorCode::BadRequest,
        ErrorCode::NotJoined,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::TooManyRooms,
        ErrorCode::HistoryTruncated,
        ErrorCode::Forbidden,
        ErrorCode::RoomLimit,
        ErrorCode::InvalidToken,
        ErrorCode::TokenExpired,
    ];
    assert!(document.contains("4001 the token expired"), "the close code of an expired token");
    let listed =
        document.lines().find(|line| line.trim().starts_with("enum: [bad_request")).unwrap();
    let listed: Vec<&str> =
        listed.trim().trim_start_matches("enum: [").trim_end_matches(']').split(", ").collect();
    let names: Vec<String> = codes
        .iter()
        .map(|code| serde_json::to_value(code).unwrap().as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, names);
}
