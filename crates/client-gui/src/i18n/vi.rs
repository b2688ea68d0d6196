//! Tiếng Việt.

use chrono::Datelike;

use super::Strings;

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
};
