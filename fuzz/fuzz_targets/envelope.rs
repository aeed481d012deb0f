//! A message as it arrives from the broker, through the board's whole acceptance check:
//! envelope, body, signature, scope, seq marks, size. Half the inputs are signed with the
//! trusted key (so the fuzzer reaches the body checks behind the signature).
#![no_main]

use bangtin_protocol::content::parse_document;
use bangtin_protocol::trust::{self, BoardIdentity, Scope, SeqMarks, TrustStore, TrustedKey};
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&[7; 32]);
    let store = TrustStore::new(
        vec![TrustedKey {
            id: "huyen".into(),
            public: key.verifying_key(),
            scopes: vec![Scope::parse("vn/ha-noi").unwrap()],
            alerts: true,
        }],
        Vec::<String>::new(),
    );
    let board = BoardIdentity {
        id: "xn-01".into(),
        area: vec!["vn".into(), "ha-noi".into(), "dong-anh".into()],
        prefix: "bangtin/v1".into(),
    };
    let marks = SeqMarks::default();
    let (flag, rest) = data.split_first().unwrap_or((&0, &[]));
    let topic = match flag % 4 {
        0 => "bangtin/v1/content/vn/ha-noi",
        1 => "bangtin/v1/alert/vn/ha-noi/dong-anh",
        2 => "bangtin/v1/board/xn-01/cmd",
        _ => "bangtin/v1/content/board/xn-01",
    };
    let _ = parse_document(rest);
    let _ = store.check(&board, topic, rest, &marks);
    if flag & 0x80 != 0 {
        // The rest as a body, signed: every body rule is reached.
        if let Ok(body) = std::str::from_utf8(rest) {
            let env = trust::sign("huyen", &key, body);
            let bytes = serde_json::to_vec(&env).unwrap();
            let _ = store.check(&board, topic, &bytes, &marks);
        }
    }
});
