//! Rooms and group conversations (version 3): creating, joining, inviting,
//! removing and banning, what each member receives, what older clients
//! never see, the standings a login gets, member lists; and the privacy
//! property: nobody receives an event of a conversation they are not in.
//!
//! See: issue 11, "Rooms".

use std::collections::{BTreeMap, BTreeSet};

use media_chat_e2e::{RawClient, TestServer, event_body, event_id, sha256_hex};
use proptest::prelude::*;

use crate::PW;

/// A logged-in version 3 client, its welcome read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client
}

/// Sends a room command and returns what it brought: every line before
/// the barrier, but what was already on its way before it (others' events,
/// presence).
fn command(client: &mut RawClient, line: &str) -> Vec<String> {
    client.collect_pending();
    client.send_line(line);
    client
        .collect_pending()
        .into_iter()
        .filter(|line| !line.starts_with("JOINED|") && !line.starts_with("LEFT|"))
        .collect()
}

/// Sends `SEND|token|conversation|text` and reads up to its `ACK`.
fn post(client: &mut RawClient, token: &str, conversation: &str, text: &str) {
    client.send_line(&format!("SEND|{token}|{conversation}|{text}"));
    loop {
        let line = client.read_line();
        if line.starts_with(&format!("ACK|{token}|")) {
            return;
        }
        assert!(!line.starts_with("REJECTED|"), "{line}");
    }
}

/// The `EVENT` bodies among `lines`.
fn events(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.starts_with("EVENT|"))
        .map(|line| event_body(line))
        .collect()
}

#[test]
fn a_public_room_reaches_its_members_only() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v2("old", PW);
    an.collect_pending();
    let created = command(&mut an, "CREATE|#Homework|public|bài tập tuần 1");
    assert_eq!(
        created,
        [
            "CONV|#Homework|room|owner|0|0|".to_owned(),
            created[1].clone(),
            created[2].clone(),
        ]
    );
    assert_eq!(
        events(&created),
        [
            "#Homework|MEMBER|an|an|created",
            "#Homework|TOPIC|an|bài tập tuần 1"
        ]
    );
    binh.collect_pending();
    binh.send_line("ROOMS");
    binh.expect_lines(&["ROOM_INFO|#Homework|public|1|bài tập tuần 1", "ROOMS_END"]);
    // Not a member yet: nothing of the room reaches bình.
    post(&mut an, "h1", "#homework", "before bình");
    binh.send_line("SEND|b0|#Homework|too early");
    binh.expect_line("REJECTED|b0|No such room: #Homework");
    let joined = command(&mut binh, "JOIN|#homework");
    assert_eq!(joined[0], "CONV|#Homework|room|member|0|0|bài tập tuần 1");
    assert_eq!(events(&joined), ["#Homework|MEMBER|bình|bình|joined"]);
    assert_eq!(
        events(&an.collect_pending()),
        ["#Homework|MEMBER|bình|bình|joined"]
    );
    post(&mut an, "h2", "#Homework", "xin chào bình");
    assert_eq!(
        events(&binh.collect_pending()),
        ["#Homework|TEXT|an|xin chào bình"]
    );
    // The past before joining is there to page.
    binh.send_line("BEFORE|#Homework|0|10");
    let page = binh.skip_until("PAGE_END|#Homework|0");
    assert_eq!(
        events(&page)[..2],
        [
            "#Homework|MEMBER|an|an|created",
            "#Homework|TOPIC|an|bài tập tuần 1"
        ]
    );
    // An older client sees none of it.
    assert!(old.collect_pending().is_empty());
    old.send_line("TEXT|still here");
    old.expect_quiet();
    assert_eq!(
        events(&an.collect_pending()),
        ["#general|TEXT|old|still here"]
    );
}

#[test]
fn a_member_who_comes_back_online_gets_the_rooms_next_messages() {
    // See: issue 11 (a room's fan-out keeps the sessions of its members
    // online, made again when one logs in or out).
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    command(&mut an, "CREATE|#lop|public|");
    let mut binh = v3(&server, "binh");
    command(&mut binh, "JOIN|#lop");
    post(&mut an, "p1", "#lop", "while binh is here");
    assert_eq!(
        events(&binh.collect_pending()),
        ["#lop|TEXT|an|while binh is here"]
    );
    binh.quit();
    post(&mut an, "p2", "#lop", "while binh is away");
    let mut binh = v3(&server, "binh");
    let mut phone = v3(&server, "binh");
    post(&mut an, "p3", "#lop", "binh is back");
    for client in [&mut binh, &mut phone] {
        let seen = events(&client.collect_pending());
        assert_eq!(seen, ["#lop|TEXT|an|binh is back"], "{seen:?}");
    }
    phone.quit();
    post(&mut an, "p4", "#lop", "one session left");
    assert_eq!(
        events(&binh.collect_pending()),
        ["#lop|TEXT|an|one session left"]
    );
}

#[test]
fn a_private_room_is_invisible_and_a_removed_member_gets_nothing_more() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    command(&mut an, "CREATE|#secret|private|");
    binh.collect_pending();
    for line in [
        "JOIN|#secret",
        "INVITE|#secret|cường",
        "MEMBERS|#secret||10",
    ] {
        let reply = command(&mut binh, line);
        assert_eq!(reply, ["ERROR|No such room: #secret"], "{line}");
    }
    binh.send_line("ROOMS");
    binh.expect_line("ROOMS_END");
    // Invited: a standing to join from.
    command(&mut an, "INVITE|#secret|bình");
    let invited = binh.collect_pending();
    assert!(
        invited.contains(&"CONV|#secret|private|invited|0|0|".to_owned()),
        "{invited:?}"
    );
    assert_eq!(events(&invited), ["#secret|MEMBER|an|bình|invited"]);
    command(&mut binh, "JOIN|#secret");
    post(&mut an, "s1", "#secret", "for members");
    assert!(events(&binh.collect_pending()).contains(&"#secret|TEXT|an|for members".to_owned()));
    assert!(
        events(&cuong.collect_pending()).is_empty(),
        "a non-member heard of the room"
    );
    // Removed: told so, and nothing after.
    command(&mut an, "REMOVE|#secret|bình");
    let removed = binh.collect_pending();
    assert_eq!(events(&removed), ["#secret|MEMBER|an|bình|removed"]);
    assert!(
        removed.contains(&"GONE|#secret|removed by an".to_owned()),
        "{removed:?}"
    );
    post(&mut an, "s2", "#secret", "after the removal");
    assert!(binh.collect_pending().is_empty());
    assert_eq!(
        command(&mut binh, "BEFORE|#secret|0|10"),
        ["ERROR|No such room: #secret"]
    );
    binh.send_line("SEND|b1|#secret|let me back");
    binh.expect_line("REJECTED|b1|No such room: #secret");
    // A fresh login of the removed member holds nothing of the room.
    let mut again = server.connect();
    let welcome = again.login_v3("bình", PW, Some(0));
    assert!(
        welcome
            .lines
            .iter()
            .all(|line| !line.contains("secret") || line.contains("removed")),
        "{:?}",
        welcome.lines
    );
}

#[test]
fn moderation_needs_a_role() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    command(&mut an, "CREATE|#lop|public|");
    command(&mut binh, "JOIN|#lop");
    command(&mut cuong, "JOIN|#lop");
    assert_eq!(
        command(&mut binh, "REMOVE|#lop|cường"),
        ["ERROR|Only the owner and moderators of #lop can do that"]
    );
    assert_eq!(
        command(&mut binh, "TOPIC|#lop|x"),
        ["ERROR|Only the owner and moderators of #lop can do that"]
    );
    let promoted = command(&mut an, "MODERATOR|#lop|bình|1");
    assert_eq!(events(&promoted), ["#lop|MEMBER|an|bình|moderator"]);
    assert!(
        binh.collect_pending()
            .contains(&"CONV|#lop|room|moderator|0|0|".to_owned())
    );
    let banned = command(&mut binh, "BAN|#lop|cường");
    assert_eq!(events(&banned), ["#lop|MEMBER|bình|cường|banned"]);
    assert!(
        cuong
            .collect_pending()
            .contains(&"GONE|#lop|banned by bình".to_owned())
    );
    assert_eq!(
        command(&mut cuong, "JOIN|#lop"),
        ["ERROR|cường is banned from #lop"]
    );
    assert_eq!(
        command(&mut binh, "REMOVE|#lop|an"),
        ["ERROR|The owner of #lop cannot be removed"]
    );
    assert_eq!(
        command(&mut an, "LEAVE|#general"),
        ["ERROR|#general is everyone's room: it cannot be left"]
    );
    assert_eq!(
        command(&mut an, "INVITE|#lop|nobody"),
        ["ERROR|No such user: nobody"]
    );
    assert_eq!(
        command(&mut an, "CREATE|#LOP|private|"),
        ["ERROR|Room name #LOP is taken"]
    );
}

#[test]
fn a_group_is_named_by_its_members_and_reaches_them_only() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    let mut dung = v3(&server, "dũng");
    binh.collect_pending();
    cuong.collect_pending();
    dung.collect_pending();
    post(&mut an, "g1", "+an,bình,cường", "nhóm mình");
    assert_eq!(
        events(&binh.collect_pending()),
        ["+an,bình,cường|TEXT|an|nhóm mình"]
    );
    assert_eq!(
        events(&cuong.collect_pending()),
        ["+an,bình,cường|TEXT|an|nhóm mình"]
    );
    assert!(events(&dung.collect_pending()).is_empty());
    // The same set in another order is the same conversation.
    post(&mut cuong, "g2", "+cường,an,bình", "ok");
    assert_eq!(
        events(&an.collect_pending()),
        ["+an,bình,cường|TEXT|cường|ok"]
    );
    dung.send_line("SEND|g3|+an,bình,cường|let me in");
    dung.expect_line("REJECTED|g3|A group conversation must include you");
    assert_eq!(
        command(&mut dung, "BEFORE|+an,bình,cường|0|10"),
        ["ERROR|A group conversation must include you"]
    );
    let members = command(&mut an, "MEMBERS|+an,bình,cường||10");
    assert_eq!(
        members,
        [
            "MEMBER_INFO|+an,bình,cường|an|member|1",
            "MEMBER_INFO|+an,bình,cường|bình|member|1",
            "MEMBER_INFO|+an,bình,cường|cường|member|1",
            "MEMBERS_END|+an,bình,cường|0",
        ]
    );
}

#[test]
fn a_login_gets_every_conversation_with_its_unread_and_mention_counts() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    command(&mut an, "CREATE|#lop|public|lớp 12A");
    let mut binh = v3(&server, "bình");
    command(&mut binh, "JOIN|#lop");
    drop(binh);
    for (n, text) in ["một", "hai @bình", "ba"].iter().enumerate() {
        post(&mut an, &format!("u{n}"), "#lop", text);
    }
    post(&mut an, "d1", "@bình", "riêng");
    let mut binh = server.connect();
    let welcome = binh.login_v3("bình", PW, None);
    let convs: BTreeSet<&str> = welcome
        .lines
        .iter()
        .filter(|line| line.starts_with("CONV|"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        convs,
        BTreeSet::from([
            "CONV|#general|room|member|0|0|",
            "CONV|#lop|room|member|3|1|lớp 12A",
            "CONV|@an|direct|member|1|0|",
        ])
    );
    // #general's members are every account, with their presence.
    binh.send_line("MEMBERS|#general||1");
    binh.expect_lines(&["MEMBER_INFO|#general|an|member|1", "MEMBERS_END|#general|1"]);
    binh.send_line("MEMBERS|#general|an|5");
    binh.expect_lines(&[
        "MEMBER_INFO|#general|bình|member|1",
        "MEMBERS_END|#general|0",
    ]);
}

/// One step of the privacy property.
#[derive(Debug, Clone)]
enum Step {
    Create {
        user: usize,
        room: usize,
        private: bool,
    },
    Join {
        user: usize,
        room: usize,
    },
    Leave {
        user: usize,
        room: usize,
    },
    Invite {
        user: usize,
        room: usize,
        who: usize,
    },
    Remove {
        user: usize,
        room: usize,
        who: usize,
    },
    Ban {
        user: usize,
        room: usize,
        who: usize,
    },
    Post {
        user: usize,
        room: usize,
    },
    Share {
        user: usize,
        room: usize,
    },
}

const USERS: [&str; 4] = ["an", "bình", "cường", "dũng"];
const ROOMS: [&str; 2] = ["lop", "nhom"];

fn step() -> impl Strategy<Value = Step> {
    let u = || 0..USERS.len();
    let r = || 0..ROOMS.len();
    prop_oneof![
        1 => (u(), r(), any::<bool>()).prop_map(|(user, room, private)| Step::Create { user, room, private }),
        1 => (u(), r()).prop_map(|(user, room)| Step::Join { user, room }),
        1 => (u(), r()).prop_map(|(user, room)| Step::Leave { user, room }),
        1 => (u(), r(), u()).prop_map(|(user, room, who)| Step::Invite { user, room, who }),
        1 => (u(), r(), u()).prop_map(|(user, room, who)| Step::Remove { user, room, who }),
        1 => (u(), r(), u()).prop_map(|(user, room, who)| Step::Ban { user, room, who }),
        3 => (u(), r()).prop_map(|(user, room)| Step::Post { user, room }),
        1 => (u(), r()).prop_map(|(user, room)| Step::Share { user, room }),
    ]
}

/// Who may see what: a plain model of rooms.
#[derive(Default)]
struct Model {
    /// Per room: private?, and each user's role (0 invited, 1 member, 2
    /// owner) or ban.
    rooms: BTreeMap<usize, (bool, BTreeMap<usize, Option<u8>>)>,
    /// Per room: the files shared into it.
    files: BTreeMap<usize, usize>,
    /// Per room: the messages posted in it.
    posts: BTreeMap<usize, usize>,
}

impl Model {
    fn role(&self, room: usize, user: usize) -> Option<Option<u8>> {
        self.rooms.get(&room)?.1.get(&user).copied()
    }

    fn member(&self, room: usize, user: usize) -> bool {
        matches!(self.role(room, user), Some(Some(1 | 2)))
    }

    /// Applies a step as the server should; returns the users who must
    /// receive its event (none when it is refused).
    fn apply(&mut self, step: &Step) -> BTreeSet<usize> {
        let members = |model: &Model, room: usize| -> BTreeSet<usize> {
            (0..USERS.len())
                .filter(|&u| model.member(room, u))
                .collect()
        };
        match *step {
            Step::Create {
                user,
                room,
                private,
            } => {
                if self.rooms.contains_key(&room) {
                    return BTreeSet::new();
                }
                self.rooms
                    .insert(room, (private, BTreeMap::from([(user, Some(2))])));
                BTreeSet::from([user])
            }
            Step::Join { user, room } => {
                let Some((private, _)) = self.rooms.get(&room) else {
                    return BTreeSet::new();
                };
                let allowed = match self.role(room, user) {
                    Some(None) | Some(Some(1 | 2)) => false,
                    Some(Some(0)) => true,
                    _ => !private,
                };
                if !allowed {
                    return BTreeSet::new();
                }
                self.rooms.get_mut(&room).map(|r| r.1.insert(user, Some(1)));
                members(self, room)
            }
            Step::Leave { user, room } => {
                if !self.member(room, user) {
                    return BTreeSet::new();
                }
                let to = members(self, room);
                self.rooms.get_mut(&room).map(|r| r.1.remove(&user));
                to
            }
            Step::Invite { user, room, who } => {
                let Some((private, _)) = self.rooms.get(&room) else {
                    return BTreeSet::new();
                };
                let role = self.role(room, user);
                let may = self.member(room, user) && (!private || role == Some(Some(2)));
                if !may || self.role(room, who).is_some() {
                    return BTreeSet::new();
                }
                let mut to = members(self, room);
                to.insert(who);
                self.rooms.get_mut(&room).map(|r| r.1.insert(who, Some(0)));
                to
            }
            Step::Remove { user, room, who } | Step::Ban { user, room, who } => {
                let ban = matches!(step, Step::Ban { .. });
                if self.role(room, user) != Some(Some(2)) || user == who {
                    return BTreeSet::new();
                }
                let target = self.role(room, who);
                let allowed = match (ban, target) {
                    (_, Some(Some(2))) => false,
                    (false, Some(Some(1))) => true,
                    (false, _) => false,
                    (true, Some(None)) => false,
                    (true, _) => true,
                };
                if !allowed {
                    return BTreeSet::new();
                }
                let mut to = members(self, room);
                to.insert(who);
                self.rooms.get_mut(&room).map(|r| {
                    if ban {
                        r.1.insert(who, None)
                    } else {
                        r.1.remove(&who)
                    }
                });
                to
            }
            Step::Post { user, room } | Step::Share { user, room } => {
                if !self.member(room, user) {
                    return BTreeSet::new();
                }
                if matches!(step, Step::Share { .. }) {
                    *self.files.entry(room).or_default() += 1;
                } else {
                    *self.posts.entry(room).or_default() += 1;
                }
                members(self, room)
            }
        }
    }
}

fn line_of(step: &Step, n: usize) -> (usize, String) {
    let room = |r: usize| ROOMS[r];
    match *step {
        Step::Create {
            user,
            room: r,
            private,
        } => (
            user,
            format!(
                "CREATE|#{}|{}|",
                room(r),
                if private { "private" } else { "public" }
            ),
        ),
        Step::Join { user, room: r } => (user, format!("JOIN|#{}", room(r))),
        Step::Leave { user, room: r } => (user, format!("LEAVE|#{}", room(r))),
        Step::Invite { user, room: r, who } => {
            (user, format!("INVITE|#{}|{}", room(r), USERS[who]))
        }
        Step::Remove { user, room: r, who } => {
            (user, format!("REMOVE|#{}|{}", room(r), USERS[who]))
        }
        Step::Ban { user, room: r, who } => (user, format!("BAN|#{}|{}", room(r), USERS[who])),
        Step::Post { user, room: r } => (user, format!("SEND|p{n}|#{}|post {n}", room(r))),
        Step::Share { user, room: r } => {
            let body = share_body(n);
            (
                user,
                format!(
                    "UPLOAD|#{}|f{n}.txt|{}|{}",
                    room(r),
                    body.len(),
                    sha256_hex(&body)
                ),
            )
        }
    }
}

/// What the `n`th step shares.
fn share_body(n: usize) -> Vec<u8> {
    format!("file {n}").into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random room changes, posts and shares by four users: after every
    /// step, each user received exactly the events the model says they may
    /// see (every member of the room, and the user a change is about), and
    /// a fresh login of each pages, lists the files of, downloads from and
    /// finds messages by search in only the rooms the model says they are
    /// in.
    #[test]
    fn nobody_receives_a_room_event_they_may_not_see(steps in prop::collection::vec(step(), 1..30)) {
        let server = TestServer::start_with(|config| config.tls.enabled = false);
        let mut clients: Vec<RawClient> = USERS.iter().map(|user| v3(&server, user)).collect();
        for client in &mut clients {
            client.collect_pending();
        }
        let mut model = Model::default();
        for (n, step) in steps.iter().enumerate() {
            let (actor, line) = line_of(step, n);
            let expected = model.apply(step);
            clients[actor].send_line(&line);
            if matches!(step, Step::Share { .. }) && !expected.is_empty() {
                clients[actor].expect_line(&format!("FILE_READY|f{n}.txt"));
                let mut body = share_body(n);
                body.push(b'\n');
                clients[actor].send_bytes(&body);
            }
            // The actor's answer first: once it is in, the command is done
            // and its events are queued for everyone.
            let mut received: BTreeMap<usize, Vec<String>> = BTreeMap::new();
            received.insert(actor, clients[actor].collect_pending());
            for (u, client) in clients.iter_mut().enumerate() {
                if u != actor {
                    received.insert(u, client.collect_pending());
                }
            }
            for (u, user) in USERS.iter().enumerate() {
                let got: Vec<String> = received
                    .remove(&u)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|line| line.starts_with("EVENT|"))
                    .collect();
                // A create stores two events when it has a topic; these have none.
                let want = usize::from(expected.contains(&u) && !(matches!(step, Step::Post { .. }) && u == actor));
                prop_assert_eq!(got.len(), want, "user {} after {:?}: {:?}", user, step, got);
                for line in &got {
                    prop_assert!(event_id(line) > 0);
                }
            }
        }
        for (u, user) in USERS.iter().enumerate() {
            let mut fresh = server.connect();
            fresh.login_v3(user, PW, Some(0));
            for (r, room) in ROOMS.iter().enumerate() {
                fresh.send_line(&format!("BEFORE|#{room}|0|200"));
                let reply = fresh.read_line();
                if model.member(r, u) {
                    prop_assert!(reply.starts_with("EVENT|") || reply.starts_with("PAGE_END|"), "{}", reply);
                    fresh.skip_until(&format!("PAGE_END|#{room}|0"));
                } else {
                    prop_assert!(reply.starts_with("ERROR|No such room"), "{} paged #{}: {}", user, room, reply);
                }
                fresh.send_line(&format!("FILES|#{room}"));
                if model.member(r, u) {
                    let listed = fresh.skip_until(&format!("FILES_END|#{room}"));
                    prop_assert_eq!(listed.len(), model.files.get(&r).copied().unwrap_or(0));
                    prop_assert!(listed.iter().all(|line| line.starts_with("FILE_INFO|f")));
                } else {
                    let reply = fresh.read_line();
                    prop_assert!(reply.starts_with("ERROR|No such room"), "{} listed #{}: {}", user, room, reply);
                    fresh.send_line(&format!("DOWNLOAD|#{room}|f0.txt"));
                    let reply = fresh.read_line();
                    prop_assert!(reply.starts_with("ERROR|No such room"), "{} downloaded from #{}: {}", user, room, reply);
                }
            }
            fresh.send_line("SEARCH|s|100|post");
            let found = fresh.skip_until("SEARCH_END|s|0");
            let visible: usize = (0..ROOMS.len())
                .filter(|&r| model.member(r, u))
                .map(|r| model.posts.get(&r).copied().unwrap_or(0))
                .sum();
            prop_assert_eq!(found.len(), visible, "{} found {:?}", user, found);
            for line in &found {
                let conversation = line.split('|').nth(5).unwrap_or_default();
                let r = ROOMS.iter().position(|room| conversation == format!("#{room}"));
                prop_assert!(r.is_some_and(|r| model.member(r, u)), "{} found {}", user, line);
            }
        }
    }
}
