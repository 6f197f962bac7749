//! Service-signed checkpoints: the signed-note form pinned to the Go
//! reference implementation's published example, and checkpoints that
//! catch a cut-off tail and a split view.

use base64::Engine as _;
use truce_ledger::*;

/// `golang.org/x/mod/sumdb/note`'s ExampleSign and ExampleOpen: the same
/// secret key must give the same signature (Ed25519 is deterministic), and
/// the published verifier key must open it.
#[test]
fn signed_notes_match_the_reference_implementation() {
    let skey = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    let blob = base64::engine::general_purpose::STANDARD
        .decode(skey)
        .expect("base64");
    assert_eq!(blob[0], 1, "an Ed25519 key");
    let seed: [u8; 32] = blob[1..].try_into().expect("32 bytes");
    let key = ServiceKey::from_seed("PeterNeumann", &seed).expect("key");
    let text = "If you think cryptography is the answer to your problem,\n\
                then you don't know what your problem is.\n";
    let signed = "If you think cryptography is the answer to your problem,\n\
                  then you don't know what your problem is.\n\
                  \n\
                  \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    assert_eq!(key.sign_text(text), signed);
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assert_eq!(key.verifier().to_vkey(), vkey);
    let verifier = ServiceVerifier::from_vkey(vkey).expect("vkey");
    assert_eq!(verifier.verify_text(signed).expect("verifies"), text);
    // One changed character, and it does not.
    let changed = signed.replacen("answer", "Answer", 1);
    assert!(verifier.verify_text(&changed).is_err());
}

#[test]
fn a_checkpoint_opens_only_with_its_service_key() {
    let key = ServiceKey::from_seed("truce-test", &[7; 32]).expect("key");
    let checkpoint = Checkpoint {
        deal: DealId::new("four-day-pause").expect("id"),
        seq: 29,
        head: Hash::of(b"the 29th line"),
    };
    let note = key.sign(&checkpoint);
    assert!(note.starts_with("truce/four-day-pause\n29\n"), "{note}");
    let verifier = ServiceVerifier::from_vkey(&key.verifier().to_vkey()).expect("vkey");
    assert_eq!(verifier.open(&note), Ok(checkpoint.clone()));
    let other = ServiceKey::from_seed("truce-test", &[8; 32]).expect("key");
    assert!(matches!(
        other.verifier().open(&note),
        Err(CheckpointError::NotSigned { .. })
    ));
    for bad in [
        note.replacen("\n29\n", "\n30\n", 1),
        note.replacen("\n29\n", "\n029\n", 1),
        note.replacen("truce/", "other/", 1),
        note.replace("\n\n", "\n"),
    ] {
        assert!(verifier.open(&bad).is_err(), "{bad}");
    }
    // Verifier keys whose base64 holds '+' read too.
    for seed in 0..64u8 {
        let key = ServiceKey::from_seed("truce-test", &[seed; 32]).expect("key");
        let vkey = key.verifier().to_vkey();
        assert_eq!(
            ServiceVerifier::from_vkey(&vkey).map(|v| v.to_vkey()),
            Ok(vkey)
        );
    }
    // The secret key file gives the same key back.
    let again = ServiceKey::from_secret_file(&key.to_secret_file()).expect("file");
    assert_eq!(again.verifier(), key.verifier());
}
