//! The names the entry's `@` pop-up offers: who is in the conversation in
//! view and who is online, each once (compared folded, as the server
//! compares names), without the user, in folded order.

use media_chat_client::conversation_key;
use media_chat_protocol::fold::fold;

use super::State;

impl State {
    /// The names to offer after an `@`.
    pub fn names(&self) -> Vec<String> {
        let members = self
            .members
            .get(&conversation_key(&self.current))
            .into_iter()
            .flatten()
            .map(|member| member.user.as_str());
        let me = fold(&self.me);
        let mut names: Vec<(String, &str)> = members
            .chain(self.online.values().map(String::as_str))
            .map(|name| (fold(name), name))
            .filter(|(folded, _)| *folded != me)
            .collect();
        names.sort();
        names.dedup_by(|a, b| a.0 == b.0);
        names.into_iter().map(|(_, name)| name.to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_online_people_once_without_me() {
        let mut state = State::new("minh");
        for name in ["Minh", "Đặng", "an", "bob"] {
            state.online.insert(name.to_lowercase(), name.to_owned());
        }
        assert_eq!(state.names(), ["an", "bob", "Đặng"]);
    }
}
