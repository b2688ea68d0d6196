//! The words of the dialogs: New room, Browse rooms, Invite, the
//! switcher, the picture viewer, "no program opens it", Get File and
//! Send File.

/// The dialogs.
pub struct Dialogs {
    // A pasted picture.
    /// The title.
    pub paste_title: &'static str,
    /// The name a pasted picture is offered under, from the time:
    /// `2026-12-02 14.20`.
    pub pasted_name: fn(&str) -> String,
    /// The name field's accessible name.
    pub paste_name: &'static str,
    /// The button that shares it.
    pub share: &'static str,
    /// It could not be made into a file: why.
    pub paste_failed: fn(&str) -> String,
    // New room.
    /// The title.
    pub new_room_title: &'static str,
    /// A field.
    pub name: &'static str,
    /// A field.
    pub topic: &'static str,
    /// The topic's hint.
    pub topic_hint: &'static str,
    /// A choice.
    pub public: &'static str,
    /// Its hint.
    pub public_hint: &'static str,
    /// A choice.
    pub private: &'static str,
    /// Its hint.
    pub private_hint: &'static str,
    /// The button.
    pub create: &'static str,
    /// `#general` cannot be made.
    pub general_exists: &'static str,

    // Browse rooms.
    /// The title.
    pub browse_title: &'static str,
    /// The filter's hint.
    pub filter_hint: &'static str,
    /// The filter's accessible name.
    pub filter_name: &'static str,
    /// Waiting for the list.
    pub asking_rooms: &'static str,
    /// Nothing matches.
    pub no_room_matches: &'static str,
    /// Open a room the user is in.
    pub open: &'static str,
    /// Join one.
    pub join: &'static str,
    /// How many members.
    pub members: fn(u64) -> String,

    // Invite.
    /// The title: the room.
    pub invite_title: fn(&str) -> String,
    /// The field's label.
    pub invite_name_label: &'static str,
    /// Its hint.
    pub invite_name_hint: &'static str,
    /// Its accessible name.
    pub invite_name: &'static str,
    /// The button.
    pub invite: &'static str,

    // The switcher.
    /// The title and the field's accessible name.
    pub switch_to: &'static str,
    /// The field's hint.
    pub switch_hint: &'static str,
    /// Nothing matches.
    pub nothing_matches: &'static str,

    // The picture viewer.
    /// A button's hint.
    pub zoom_out: &'static str,
    /// A button's hint.
    pub actual_size: &'static str,
    /// A button's hint.
    pub zoom_in: &'static str,
    /// A button.
    pub fit: &'static str,
    /// Its hint.
    pub fit_hint: &'static str,
    /// Close's hint.
    pub close_hint: &'static str,
    /// The picture's accessible name: the file.
    pub picture: fn(&str) -> String,
    /// An unreadable picture.
    pub unreadable_picture: &'static str,
    /// Decoding.
    pub opening_picture: &'static str,

    // No program opens it.
    /// No file manager.
    pub no_file_manager: &'static str,
    /// Where the downloads are.
    pub downloads_are_here: &'static str,
    /// No program for the file: the name.
    pub no_program: fn(&str) -> String,
    /// Where it is.
    pub file_is_here: &'static str,
    /// A button.
    pub show_in_folder: &'static str,
    /// Its hint.
    pub show_in_folder_hint: &'static str,
    /// A button.
    pub copy_path: &'static str,

    // Get File, Send File.
    /// The field's label.
    pub file_name_label: &'static str,
    /// Its accessible name.
    pub file_name: &'static str,
    /// Send File without a file dialog.
    pub no_file_dialog: &'static str,
    /// The path field's accessible name.
    pub file_path: &'static str,
}
