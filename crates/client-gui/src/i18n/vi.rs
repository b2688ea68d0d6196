//! Tiếng Việt.

use chrono::Datelike;

use super::{Dialogs, Notices, Screens, Strings};

/// The Vietnamese table.
pub const STRINGS: Strings = Strings {
    today: "Hôm nay",
    yesterday: "Hôm qua",
    weekdays: [
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ Nhật",
    ],
    date: |weekday, day| {
        format!(
            "{weekday}, {:02}/{:02}/{}",
            day.day(),
            day.month(),
            day.year()
        )
    },
    new_since_you_left: "tin mới từ lúc bạn rời đi",
    new_messages: |n| format!("↓ {n} tin nhắn mới"),
    loading_older: "Đang tải tin nhắn cũ hơn…",
    load_older: "Tải tin nhắn cũ hơn",
    beginning: "Đầu cuộc trò chuyện",
    you: "(bạn)",
    edited: "(đã sửa)",
    deleted: "(tin nhắn đã xoá)",
    not_delivered: |reason| format!("⚠ Chưa gửi được: {reason}"),
    retry: "Gửi lại",
    retry_hint: "Gửi lại lần nữa (máy chủ chỉ lưu một lần)",
    discard: "Bỏ",
    pending: "Đang chờ",
    pending_hint: "Đang chờ máy chủ; tự gửi lại khi kết nối lại",
    open_picture: |name| format!("Mở {name}"),
    open_full_size: "Bấm để xem cỡ thật",

    entry_hint: "Tin nhắn — @tên để nhắn riêng",
    entry_name: "Tin nhắn",
    write_as_private: "[!] Hãy viết dạng @tên nội dung",
    mention_private: "nhắn riêng",
    mention_inline: "nhắc tên",
    emoji_button: "Biểu tượng cảm xúc",
    emoji_hint: "Chèn biểu tượng cảm xúc",
    emoji_search: "Tìm biểu tượng",
    emoji_search_hint: "Tìm (tên tiếng Anh): smile, heart, thumbs…",
    emoji_recent: "Dùng gần đây",
    emoji_all: "Tất cả",
    emoji_none: "Không có biểu tượng nào mang tên đó.",
    send: "Gửi",
    send_file: "Gửi tệp",
    send_file_hint: "Hoặc thả tệp vào cửa sổ",
    get_file: "Lấy tệp",
    clear: "Xoá",
    clear_hint: "Xoá các tệp đã tải về",
    exit: "Thoát",
    clearing: "Đang xoá các tệp đã tải…",

    clear_title: "Xoá các tệp đã tải",
    clear_question: |files, bytes| {
        format!(
            "Xoá {files} tệp đã tải về ({})?",
            super::size_in_words(bytes)
        )
    },
    clear_nothing: "Không có tệp đã tải nào để xoá.",
    delete: "Xoá",
    cancel: "Huỷ",
    close: "Đóng",

    link_lost: |reason| {
        format!("Mất kết nối: {reason}. Tin bạn gửi sẽ chờ đến khi có kết nối lại.")
    },
    link_reconnecting: |seconds, attempt| {
        format!(
            "Mất kết nối — thử lại sau {seconds:.1} giây (lần {attempt}). Tin bạn gửi sẽ chờ và đi khi đó."
        )
    },
    reconnect_now: "Kết nối lại ngay",
    reconnected: "[+] đã kết nối lại",
    offline_since: |time| format!("mất kết nối từ {time}"),

    members_heading: |n| format!("Thành viên ({n})"),
    online_count: |n| format!("{n} đang trực tuyến"),
    online_heading: |n| format!("Trực tuyến ({n})"),
    loading_members: "Đang tải danh sách thành viên…",
    online: "trực tuyến",
    offline: "ngoại tuyến",
    owner: "chủ phòng",
    moderator: "điều hành viên",
    invited: "được mời",
    you_hint: "Bạn",
    write_privately: |name| format!("Nhắn riêng cho {name}"),

    view_menu: "Hiển thị",
    theme: "Giao diện",
    theme_system: "Theo hệ thống",
    theme_light: "Sáng",
    theme_dark: "Tối",
    text_size: |percent| format!("Cỡ chữ: {percent:.0} %"),
    larger: "Chữ to hơn  (Ctrl +)",
    smaller: "Chữ nhỏ hơn  (Ctrl −)",
    reset_size: "Cỡ thường  (Ctrl 0)",

    on_server: |user, server| format!("— {user} tại {server}"),
    members_and_files: "👥 Thành viên & tệp",
    members_and_files_hint: "Hiện ai đang ở đây và các tệp, thay cho danh sách trò chuyện",
    drop_to_share: "Thả để chia sẻ",

    shared_files: |n| format!("Tệp đã chia sẻ ({n})"),
    nothing_shared: "Chưa có gì. Bấm Gửi tệp, hoặc thả tệp vào cửa sổ.",
    download: "Tải về",
    download_hint: |name| format!("Tải {name} về máy"),
    verifying: |size| format!("{size} — đang kiểm tra…"),

    cannot_send: |name, why| format!("[!] Không gửi được {name}: {why}"),
    cannot_get: |name, why| format!("[!] Không lấy được {name}: {why}"),
    too_large: |size, max| format!("tệp nặng {size}; máy chủ chỉ nhận tệp đến {max}"),
    type_not_allowed: |extension, allowed| {
        format!("máy chủ không nhận tệp .{extension} (chỉ nhận {allowed})")
    },
    not_a_file: "đây là thư mục, không phải tệp",
    bad_name: |why| format!("máy chủ không dùng được tên này ({why})"),
    not_connected: "chưa có kết nối; thử lại khi kết nối trở lại",
    congested: "chưa gửi: quá nhiều tin đang chờ máy chủ",
    old_server: "máy chủ quá cũ để làm việc này",
    io_not_found: "tệp hoặc thư mục không tồn tại",
    io_denied: "máy này không cho phép đọc nó",
    io_refused: "không có gì trả lời ở địa chỉ và cổng đó",
    io_timed_out: "không có trả lời kịp thời",
    io_broken: "kết nối bị đứt",
    io_no_host: "không có máy nào mang tên đó",
    io_full: "ổ đĩa đã đầy",
    io_other: |words| words.to_lowercase(),
    cannot_reach: |why| format!("Không kết nối được máy chủ: {why}"),
    unexpected_answer: |what| format!("Máy chủ trả lời điều không mong đợi: {what}"),
    tls_failed: |why| {
        format!("Kết nối mã hoá thất bại ({why}); máy chủ cũ không có TLS cần tắt ô Mã hoá")
    },
    certificate_changed: "Chứng chỉ của máy chủ đã thay đổi: có thể có người đang nghe lén. Hãy hỏi người quản trị.",
    certificate_unknown: "Chứng chỉ của máy chủ không được tổ chức nào đã biết ký.",
    screens: Screens {
        tagline: "Trò chuyện và chia sẻ tệp với nhóm của bạn.",
        host: "Máy chủ",
        port: "Cổng",
        user_name: "Tên người dùng",
        password: "Mật khẩu",
        encrypted: "Mã hoá (TLS)",
        encrypted_hint: "Chỉ tắt khi máy chủ cũ không có TLS: mật khẩu và tin nhắn sẽ đi qua mạng ở dạng ai cũng đọc được",
        log_in: "Đăng nhập",
        starting_server: "Đang khởi động máy chủ trò chuyện…",
        logging_in: "Đang đăng nhập…",
        right_server: "Đây có đúng là máy chủ của bạn?",
        compare_fingerprint: "Chứng chỉ của máy chủ không được tổ chức nào đã biết ký. Hãy so dấu vân tay này với dấu mà người quản trị máy chủ đưa cho bạn:",
        trust_and_log_in: "Tin cậy và đăng nhập",
        no_server_yet: "Chưa có máy chủ?",
        host_here: "Mở phòng trò chuyện trên máy này",
        host_here_hint: "Chạy một máy chủ ở đây, trên cổng ở trên; người khác trong mạng của bạn vào bằng địa chỉ của máy này.",

        switch_button: "🔍 Chuyển…  Ctrl+K",
        switch_hint: "Đến một cuộc trò chuyện bằng cách gõ tên",
        rooms: "Phòng",
        new_room: "Phòng mới…",
        browse_rooms: "Xem các phòng…",
        direct_messages: "Tin nhắn riêng",
        no_direct: "Bấm vào một tên bên phải, hoặc viết @tên nội dung.",
        invited_hint: "Bạn được mời: bấm để vào",
        private_mark: " (riêng tư)",
        invited_mark: " (được mời)",

        leave: "Rời phòng",
        leave_hint: |room| format!("Rời {room}"),
        invite: "Mời…",
        invite_hint: |room| format!("Mời ai đó vào {room}"),
        topic_hint: "Phòng này nói về gì",
        topic: "Chủ đề",
        save: "Lưu",
        no_topic: "Chưa có chủ đề",
        edit_topic: "Sửa chủ đề",
        edit_topic_hint: "Chủ phòng và điều hành viên đặt chủ đề",

        hosting_here: "Đang mở phòng ở đây — người khác vào tại",
        copy_invite: "Chép lời mời",
        copy_invite_hint: "Địa chỉ và dấu vân tay chứng chỉ, để gửi cho khách",
        certificate: "Chứng chỉ:",
        invite_text: |address| format!("Mời vào media-chat của mình tại {address}"),
        invite_text_pinned: |address, fingerprint| {
            format!(
                "Mời vào media-chat của mình tại {address}. Khi chương trình hỏi, dấu vân tay chứng chỉ phải là {fingerprint}"
            )
        },

        certificate_changed_banner: "Chứng chỉ của máy chủ đã thay đổi: không kết nối lại",
        certificate_changed_advice: "Có thể có người đang nghe lén kết nối. Hãy hỏi người quản trị máy chủ xem họ có thay chứng chỉ không, và so dấu vân tay mới.",
        accepted_before: "Đã chấp nhận trước đây:",
        presented_now: "Đang đưa ra:",
        log_out: "Đăng xuất",
        log_out_hint: "Về màn hình đăng nhập; chứng chỉ mới không được tin cậy",
        trust_new: "Tin cậy chứng chỉ mới và đăng nhập lại",
        trust_new_hint: "Chỉ khi người quản trị đã xác nhận dấu vân tay mới",
    },

    dialogs: Dialogs {
        new_room_title: "Phòng mới",
        name: "Tên",
        topic: "Chủ đề",
        topic_hint: "Phòng nói về gì (không bắt buộc)",
        public: "Công khai",
        public_hint: "Có trong danh sách; ai cũng vào được",
        private: "Riêng tư",
        private_hint: "Không có trong danh sách; chỉ người được mời mới vào",
        create: "Tạo",
        general_exists: "#general đã là phòng chung của mọi người",

        browse_title: "Các phòng",
        filter_hint: "Lọc theo tên hoặc chủ đề",
        filter_name: "Lọc phòng",
        asking_rooms: "Đang hỏi máy chủ danh sách phòng…",
        no_room_matches: "Không có phòng nào khớp. Bấm Phòng mới… để tạo.",
        open: "Mở",
        join: "Vào",
        members: |n| format!("{n} thành viên"),

        invite_title: |room| format!("Mời vào {room}"),
        invite_name_label: "Tên:",
        invite_name_hint: "Tab để điền tên",
        invite_name: "Tên người được mời",
        invite: "Mời",

        switch_to: "Chuyển đến",
        switch_hint: "Đến một phòng hoặc một người…",
        nothing_matches: "Không có gì khớp",

        zoom_out: "Thu nhỏ (-)",
        actual_size: "Cỡ thật",
        zoom_in: "Phóng to (+)",
        fit: "Vừa khung",
        fit_hint: "Vừa cửa sổ",
        close_hint: "Đóng (Escape)",
        picture: |name| format!("Ảnh {name}"),
        unreadable_picture: "Không đọc được ảnh này.",
        opening_picture: "Đang mở ảnh…",

        no_file_manager: "Máy này không có trình quản lý tệp để mở thư mục",
        downloads_are_here: "Các tệp đã tải nằm ở đây:",
        no_program: |name| format!("Máy này không có chương trình nào mở được {name}"),
        file_is_here: "Tệp đã tải về và đã kiểm tra. Nó nằm ở đây:",
        show_in_folder: "Mở thư mục chứa tệp",
        show_in_folder_hint: "Mở thư mục có tệp này",
        copy_path: "Chép đường dẫn",

        file_name_label: "Tên tệp:",
        file_name: "Tên tệp",
        no_file_dialog: "Ở đây không có hộp thoại chọn tệp. Hãy gõ đường dẫn của tệp, hoặc thả tệp vào cửa sổ:",
        file_path: "Đường dẫn tệp",
    },

    notices: Notices {
        help: &[
            "[i] các lệnh (cũng có ở các nút và ở khung bên):",
            "nội dung — gửi vào cuộc trò chuyện đang xem; Shift+Enter để xuống dòng",
            "@tên nội dung — nhắn riêng (hoặc /dm tên nội dung); /dm a,b,c nội dung để nhắn cho một nhóm",
            "#phòng nội dung — gửi vào một phòng bạn đã vào, mà vẫn ở chỗ hiện tại",
            "/go #phòng, /go @tên, /go +a,b,c — mở một cuộc trò chuyện",
            "/rooms — xem các phòng; /create #phòng [private] [chủ đề]; /join #phòng; /leave [#phòng]",
            "/invite TÊN, /remove TÊN, /topic NỘI_DUNG, /members — phòng hiện tại",
            "/send ĐƯỜNG_DẪN — chia sẻ tệp; /get TÊN — tải về và mở; /open TÊN — mở tệp đã tải",
            "/files — các tệp đã chia sẻ ở đây; /users — ai đang trực tuyến",
            "/clear — xoá các tệp đã tải; /cancel — huỷ các lượt truyền tệp đang chạy",
            "/more — tin nhắn cũ hơn; /retry, /discard — các tin nhắn chưa gửi được ở đây",
            "/signout-others — đăng xuất các phiên khác của bạn; /quit — đăng xuất và đóng",
            "quản trị viên: /invite-code, /registration open|closed|invite, /ban TÊN lý_do, /unban TÊN",
            "//nội dung — gửi một dòng bắt đầu bằng /",
        ],
        unknown_command: |verb| format!("không có lệnh {verb} — /help liệt kê các lệnh"),
        write_as: |usage| format!("hãy viết dạng {usage}"),
        write_alone: |verb| format!("hãy viết {verb}, không kèm gì thêm"),
        terminal_only: |verb| {
            format!(
                "cửa sổ này chưa có {verb}; chương trình dòng lệnh (media-chat-cli) có lệnh này"
            )
        },
        no_files: |here| format!("[i] chưa có tệp nào được chia sẻ trong {here}"),
        files_in: |here| format!("[i] các tệp đã chia sẻ trong {here}:"),
        online_users: |users| format!("[i] đang trực tuyến: {users}"),
        not_downloaded: |name| format!("[!] {name} chưa được tải về; hãy /get {name} trước"),
        no_topic_here: |here| format!("[!] {here} không phải là phòng: không có chủ đề"),
        no_invite_here: |here| format!("[!] {here} không phải là phòng: không mời ai được"),
        hosting_at: |address| {
            format!("[i] đang mở phòng trò chuyện ở đây: người khác vào tại {address}")
        },
        expect_certificate: |fingerprint| format!("[i] hãy dặn họ chờ chứng chỉ {fingerprint}"),
        certificate_trusted: "Chứng chỉ mới đã được tin cậy. Hãy nhập mật khẩu để đăng nhập lại.",
        cannot_trust: |why| format!("Không ghi nhớ được chứng chỉ mới: {why}"),
        bad_port: "Cổng phải là một số từ 1 đến 65535",
        no_data_dir: "Hệ thống này không có thư mục dữ liệu để lưu cuộc trò chuyện",
        cannot_host: |why| format!("Không mở được phòng trò chuyện: {why}"),
        stopped_while_starting: "máy chủ đã dừng khi đang khởi động",
    },
};
