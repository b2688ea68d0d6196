//! Preferences in the store: blocks and mutes are recorded, undone, read
//! back per user, and survive a reopen.

use media_chat_store::{Conversation, Pair, Preference};

use crate::support::open;

#[test]
fn blocks_and_mutes_are_kept_per_user_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let direct = Conversation::Direct(Pair::new("an", "Bình"));
    store
        .set_preference("an", Preference::Block("Bình".into(), true))
        .unwrap();
    store
        .set_preference("an", Preference::Block("cường".into(), true))
        .unwrap();
    store
        .set_preference("an", Preference::Block("cường".into(), false))
        .unwrap();
    store
        .set_preference("an", Preference::Mute(Conversation::General, true))
        .unwrap();
    store
        .set_preference("an", Preference::Mute(direct.clone(), true))
        .unwrap();
    store
        .set_preference("an", Preference::Mute(Conversation::General, false))
        .unwrap();
    store.barrier().unwrap();
    assert_eq!(
        store.preferences("an").unwrap(),
        (vec!["Bình".to_owned()], vec![direct.clone()])
    );
    assert_eq!(store.preferences("bình").unwrap(), (vec![], vec![]));
    store.close();
    drop(store);
    let store = open(dir.path());
    assert_eq!(
        store.blocks().unwrap(),
        [("an".to_owned(), "bình".to_owned())]
    );
    assert_eq!(store.preferences("an").unwrap().1, [direct]);
}
