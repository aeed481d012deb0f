//! The console's two languages: Vietnamese first, English as each user's choice. Pages are
//! written in Vietnamese; [`t`] gives a phrase in the user's language from one table, so a
//! template reads as the officers read it. A test checks that every phrase the templates ask
//! for has its English.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi` or `en`; anything else is Vietnamese.
    pub fn parse(s: &str) -> Lang {
        if s == "en" {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language (the switch in the page header offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }

    /// The staff library's language (its messages: picture notes, repaired text).
    pub fn staff(self) -> bangtin_staff::Lang {
        match self {
            Lang::Vi => bangtin_staff::Lang::Vi,
            Lang::En => bangtin_staff::Lang::En,
        }
    }

    /// One of two texts made by the caller (sentences with numbers in them).
    pub fn pick(self, vi: String, en: String) -> String {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// Every phrase of the pages, Vietnamese then English.
const PHRASES: &[(&str, &str)] = &[
    ("Bảng tin", "Bulletin boards"),
    ("Bảng", "Boards"),
    ("Tin", "Items"),
    ("Nhật ký", "Audit log"),
    ("Thoát", "Log out"),
    (
        "Chưa kết nối được máy chủ tin (broker): tin đã duyệt sẽ được gửi khi kết nối lại.",
        "The message broker cannot be reached: approved items are sent when it is back.",
    ),
    (
        "Cảnh báo: đăng nhập không cần mã một lần (TOTP) cho người duyệt và quản trị.",
        "Warning: approvers and admins log in without a one-time code (TOTP).",
    ),
    ("Đăng nhập", "Log in"),
    ("Tên đăng nhập", "User name"),
    ("Mật khẩu", "Password"),
    (
        "Mã xác thực (6 số, nếu có)",
        "One-time code (6 digits, if you have one)",
    ),
    ("Soạn tin mới", "New item"),
    (
        "Chưa có tin nào trong khu vực của bạn.",
        "No items in your areas yet.",
    ),
    ("Chọn khu vực nhận tin:", "Choose where the item goes:"),
    ("Sửa tin", "Edit item"),
    (
        "Tin chưa lưu: hãy sửa các lỗi được đánh dấu bên dưới.",
        "Not saved: correct the problems marked below.",
    ),
    (
        "Ảnh đã chọn cần được chọn lại.",
        "Choose the picture again.",
    ),
    ("Khu vực nhận tin:", "Goes to:"),
    ("đổi", "change"),
    ("Loại tin", "Kind"),
    ("Thông báo", "Announcement"),
    ("Ảnh", "Picture"),
    ("Chữ chạy", "Ticker"),
    ("Tiêu đề", "Title"),
    ("Nội dung", "Text"),
    (
        "Ảnh (JPEG, PNG, WebP, GIF)",
        "Picture (JPEG, PNG, WebP, GIF)",
    ),
    (
        "đã có ảnh; chọn ảnh khác để thay",
        "it has one; choose another to replace it",
    ),
    ("Chú thích ảnh", "Caption"),
    ("Video", "Video"),
    ("Video (MP4, MKV, WebM; H.264)", "Video (MP4, MKV, WebM; H.264)"),
    ("đã có video; chọn tệp khác để thay", "a video is set; choose another file to replace it"),
    ("Địa chỉ web của tệp video (bảng tin tải video từ đây)", "Web address of the video file (boards fetch it from there)"),
    ("Phát cả tiếng của video", "Play the video's sound"),
    ("Video: để trống thời lượng thì video hiện đúng bằng độ dài của nó.", "Video: leave the seconds empty and it shows for as long as it lasts."),
    (
        "Đường dẫn mã QR (không bắt buộc)",
        "QR code link (optional)",
    ),
    ("Mức tin", "Class"),
    ("Thông thường", "Normal"),
    ("Ưu tiên", "Priority"),
    (
        "Thời lượng mỗi lần hiện (giây)",
        "Seconds on screen each time",
    ),
    ("Từ ngày", "From"),
    ("Đến ngày", "Until"),
    (
        "Các ngày trong tuần (bỏ trống: mọi ngày)",
        "Days of the week (none: every day)",
    ),
    ("Từ giờ", "From time"),
    ("Đến giờ", "Until time"),
    ("Lưu bản nháp và xem trước", "Save the draft and preview"),
    ("T2", "Mon"),
    ("T3", "Tue"),
    ("T4", "Wed"),
    ("T5", "Thu"),
    ("T6", "Fri"),
    ("T7", "Sat"),
    ("CN", "Sun"),
    ("bản", "revision"),
    (
        "bảng đang hiện bản đã duyệt trước",
        "the boards show the revision approved before",
    ),
    ("Lý do từ chối:", "Rejected because:"),
    ("Lý do từ chối", "Reason for rejecting"),
    ("Sẽ hiển thị trên", "Will show on"),
    ("bảng.", "boards."),
    ("Xem trước", "Preview"),
    ("Màn hình", "Screen"),
    ("trang", "page"),
    ("Sửa", "Edit"),
    ("Gửi duyệt", "Submit for approval"),
    ("Đăng lên bảng", "Publish to the boards"),
    ("Duyệt và đăng", "Approve and publish"),
    ("Từ chối", "Reject"),
    ("Gỡ khỏi bảng", "Withdraw from the boards"),
    ("Đến các bảng", "To the boards"),
    ("Chưa đăng lên bảng nào.", "Not published yet."),
    ("đã hiện", "shown"),
    ("đã nhận", "received"),
    ("đang gửi", "sending"),
    ("mất kết nối", "offline"),
    ("Trạng thái", "State"),
    ("Đã nhận", "Received"),
    ("Đã hiện", "Shown"),
    ("Đang gửi", "Sending"),
    ("Mất kết nối", "Offline"),
    (
        "Chỉ liệt kê các bảng chưa hiện trước, tối đa",
        "Boards not showing it yet are listed first, at most",
    ),
    ("Bản nháp", "Draft"),
    ("Chờ duyệt", "Waiting for approval"),
    ("Bị từ chối", "Rejected"),
    ("Đang phát", "Published"),
    ("Đã gỡ", "Withdrawn"),
    ("trực tuyến", "online"),
    ("không báo cáo", "not reporting"),
    ("trong", "in"),
    ("Khu vực", "Area"),
    ("Tất cả", "All"),
    ("Lọc", "Filter"),
    ("Lệnh cho cả khu vực", "Command for the whole area"),
    (
        "Hiện mã bảng trên màn hình",
        "Show the board's id on screen",
    ),
    ("Nạp lại cấu hình", "Reload the configuration"),
    ("Chụp màn hình", "Take a screenshot"),
    ("Xem các bảng sẽ nhận", "See the boards it reaches"),
    (
        "Bảng cần chú ý (mất kết nối, không báo cáo, có lỗi) ở đầu danh sách.",
        "Boards that need attention (offline, not reporting, with an error) come first.",
    ),
    ("Đang hiện", "Showing"),
    ("Lỗi gần nhất", "Last error"),
    ("Trang trước", "Previous page"),
    ("Trang", "Page"),
    ("Trang sau", "Next page"),
    ("Trực tuyến", "Online"),
    ("Không báo cáo", "Not reporting"),
    ("Mã bảng", "Board id"),
    ("Vì sao", "Why"),
    ("Đồng hồ", "Clock"),
    ("Phiên bản", "Version"),
    (
        "Soạn tin cho riêng bảng này",
        "New item for this board alone",
    ),
    ("Độ sáng", "Brightness"),
    ("Đặt độ sáng", "Set the brightness"),
    ("Theo lịch của bảng", "The board's schedule"),
    ("Ảnh màn hình của bảng", "The board's screen"),
    ("Ảnh màn hình vừa chụp", "Screenshot just taken"),
    ("Lệnh này sẽ gửi tới", "This command goes to"),
    ("bảng trong", "boards in"),
    (
        "Quá nhiều bảng cho một lệnh: hãy chọn khu vực nhỏ hơn.",
        "Too many boards for one command: choose a smaller area.",
    ),
    ("Gửi lệnh", "Send the command"),
    ("Kết quả", "Result"),
    ("Nhật ký thao tác", "Audit log"),
    ("Tải CSV", "Download CSV"),
    ("Lúc", "When"),
    ("Người", "Who"),
    ("Việc", "What"),
    ("Đối tượng", "On"),
    ("Từ", "From"),
    (
        "Sai tên đăng nhập, mật khẩu hoặc mã xác thực.",
        "Wrong user name, password or code.",
    ),
    (
        "Đăng nhập sai quá nhiều lần: hãy đợi 15 phút rồi thử lại.",
        "Too many failed logins: wait 15 minutes and try again.",
    ),
    (
        "Người viết không thể tự duyệt tin của mình: cần một người duyệt khác.",
        "An author cannot approve their own item: another approver must.",
    ),
    (
        "Tin này không đang phát nên không có gì để gỡ.",
        "This item is not on the boards, so there is nothing to withdraw.",
    ),
    (
        "Không thể làm việc này ở trạng thái hiện tại của tin.",
        "This cannot be done in the item's current state.",
    ),
    (
        "Hãy ghi lý do từ chối.",
        "Write the reason for rejecting it.",
    ),
    (
        "Khu vực này không còn do bảng điều khiển quản lý.",
        "This console no longer publishes for this area.",
    ),
    (
        "Bảng đã làm theo lệnh.",
        "The board carried out the command.",
    ),
    ("Đã làm theo lệnh", "Done"),
    ("Lệnh không hợp lệ.", "Not a valid command."),
    (
        "Bảng này ở ngoài các khu vực bảng điều khiển quản lý.",
        "This board is outside the areas this console publishes for.",
    ),
    ("Đã đồng bộ", "Synchronised"),
    (
        "Chưa đồng bộ: lịch phát có thể lệch",
        "Not synchronised: the programme may be off",
    ),
    (
        "Không có tin nào đang hiệu lực: bảng hiện màn hình chờ (giờ, ngày).",
        "Nothing is valid now: the board shows its idle screen (time, date).",
    ),
    ("Soạn tin", "Compose"),
    ("Báo cáo", "Reports"),
    ("Thời gian hoạt động của bảng", "Boards' time online"),
    ("Chưa có bảng nào báo trạng thái trong khoảng này.", "No board reported its state in this period."),
    ("Báo cáo phát tin", "Proof-of-play report"),
    ("Chọn khu vực:", "Choose an area:"),
    ("Xem", "Show"),
    ("bảng", "boards"),
    ("lần hiện", "showings"),
    ("Chưa có bảng nào báo đã phát tin trong khoảng này.", "No board reported playing anything in this period."),
    ("Thời gian trên màn hình theo tin", "Time on screen per item"),
    ("Số lần", "Times"),
    ("Thời gian", "On screen"),
    ("đồng hồ bảng chưa đồng bộ", "the board's clock was not set"),
    ("Tin đã được sửa sau khi anh chị mở trang: hãy xem lại bản mới rồi làm lại.", "The item was changed after you opened this page: look at the new revision, then do it again."),
    ("Tin chưa lưu", "Not saved"),
    ("Theo tin", "By item"),
    ("Số bảng", "Boards"),
    ("Theo bảng và tin", "By board and item"),
    ("Trang chỉ liệt kê", "This page lists only the first"),
    ("dòng đầu; tệp CSV có đủ.", "lines; the CSV has them all."),
    ("Các bảng hoạt động ít nhất trước:", "The boards least online first:"),
    ("Chỉ bảng này", "This board only"),
    ("Khóa API", "API tokens"),
    ("Khóa cho hệ thống thông tin nguồn của tỉnh gọi API (/api/v1). Mỗi khóa chỉ dùng trong một khu vực.", "Tokens for the province's source information systems to call the API (/api/v1). Each token works in one area only."),
    ("Khóa mới", "New token"),
    ("Hãy chép ngay: khóa chỉ hiện một lần này.", "Copy it now: the token is shown this once only."),
    ("Tên (hệ thống dùng khóa)", "Name (the system that uses it)"),
    ("Quyền", "Right"),
    ("Chỉ xem (bảng, tin, báo cáo)", "Read only (boards, items, reports)"),
    ("Gửi tin và cảnh báo CAP vào hàng chờ duyệt", "Submit items and CAP alerts into the approval queue"),
    ("Đăng tin ngay, không qua duyệt", "Publish at once, without approval"),
    ("Cảnh báo CAP được gửi ngay (chỉ cho hệ thống cảnh báo có thẩm quyền; cần quyền đăng ngay)", "CAP alerts are sent at once (only for an alerting authority's system; needs the publish right)"),
    ("Tạo khóa", "Make the token"),
    ("Tên", "Name"),
    ("Dùng lần cuối", "Last used"),
    ("Đã thu hồi", "Revoked"),
    ("Thu hồi", "Revoke"),
    ("Hãy chọn quyền của khóa.", "Choose the token's right."),
    ("Cảnh báo", "Alerts"),
    ("Cảnh báo khẩn cấp", "Emergency alerts"),
    ("Mẫu cảnh báo", "Alert templates"),
    ("Tên mẫu", "Template name"),
    ("Mức độ", "Severity"),
    ("Tiêu đề cảnh báo", "Alert headline"),
    ("Hướng dẫn người dân", "What people should do"),
    ("Sửa lần cuối:", "Last changed:"),
    ("Lưu mẫu", "Save template"),
    ("DIỄN TẬP — không phải cảnh báo thật", "DRILL — not a real alert"),
    ("THẬT · LIVE — cảnh báo thật, hiện ngay trên các bảng", "LIVE — a real alert, shown on the boards at once"),
    ("Người soạn:", "Entered by:"),
    ("Người xác nhận:", "Confirmed by:"),
    ("Hết hiệu lực:", "Ends:"),
    ("Đây là đính chính của", "This is a correction of"),
    ("cảnh báo trước", "the earlier alert"),
    ("Chưa gửi. Gõ tên khu vực để xác nhận, trước", "Not sent. Type the area's name to confirm, before"),
    ("Chưa gửi: cần một cán bộ thứ hai có quyền cảnh báo xác nhận, trước", "Not sent: a second officer with the alert right must confirm it before"),
    ("Gõ tên khu vực", "Type the area's name"),
    ("Xác nhận gửi diễn tập", "Confirm and send the drill"),
    ("XÁC NHẬN GỬI CẢNH BÁO THẬT", "CONFIRM AND SEND THE LIVE ALERT"),
    ("Bỏ, không gửi", "Discard, do not send"),
    ("Hủy cảnh báo", "Cancel the alert"),
    ("Đính chính", "Correct"),
    ("Các bảng", "Boards"),
    ("đang hiện", "showing"),
    ("Có", "There are"),
    ("bảng đang kết nối mà sau 10 giây vẫn chưa hiện cảnh báo: hãy kiểm tra các bảng này.", "online boards that have not shown the alert after 10 seconds: check these boards."),
    ("Đính chính diễn tập", "Correct the drill"),
    ("Diễn tập cảnh báo", "Alert drill"),
    ("Đính chính CẢNH BÁO THẬT", "Correct the LIVE ALERT"),
    ("CẢNH BÁO THẬT", "LIVE ALERT"),
    ("Chọn khu vực nhận cảnh báo:", "Choose the area to alert:"),
    ("Chưa gửi: hãy sửa các lỗi được đánh dấu bên dưới.", "Not sent: correct the fields marked below."),
    ("Khu vực:", "Area:"),
    ("Sẽ hiện trên", "Will show on"),
    ("Mẫu", "Template"),
    ("Dùng mẫu", "Use template"),
    ("Mô tả thêm", "Further description"),
    ("Cơ quan gửi", "Sending authority"),
    ("Hết hiệu lực sau (giờ)", "Ends after (hours)"),
    ("tối đa", "at most"),
    ("Hoặc đọc từ tệp CAP 1.2 (XML)", "Or read from a CAP 1.2 file (XML)"),
    ("Cảnh báo toàn màn hình (cực kỳ nghiêm trọng, nghiêm trọng) chỉ được gửi khi một cán bộ thứ hai xác nhận, trong vòng", "A full-screen alert (extreme, severe) is sent only when a second officer confirms it, within"),
    ("phút.", "minutes."),
    ("Khu vực này cho phép một cán bộ: sau khi bấm gửi, anh chị gõ tên khu vực để xác nhận.", "This area allows one officer: after pressing send, type the area's name to confirm."),
    ("Gửi diễn tập", "Send the drill"),
    ("GỬI ĐÍNH CHÍNH (THẬT)", "SEND THE CORRECTION (LIVE)"),
    ("GỬI CẢNH BÁO THẬT", "SEND THE LIVE ALERT"),
    ("Diễn tập", "Drill"),
    ("Tập dượt: bảng hiện chữ DIỄN TẬP", "Practice: boards show DRILL"),
    ("Cảnh báo THẬT", "LIVE alert"),
    ("Tình huống thật: mọi bảng trong khu vực", "A real emergency: every board in the area"),
    ("Sửa các mẫu cảnh báo", "Edit the alert templates"),
    ("Chưa có cảnh báo nào.", "No alerts yet."),
    ("Loại", "Kind"),
    ("DIỄN TẬP", "DRILL"),
    ("THẬT", "LIVE"),
    ("Chờ người thứ hai xác nhận", "Waiting for a second officer"),
    ("Chờ cán bộ gửi", "Waiting for an officer to send it"),
    ("Đã gửi", "Sent"),
    ("Đã hủy", "Cancelled"),
    ("Đã đính chính", "Corrected"),
    ("Quá hạn xác nhận, không gửi", "Not confirmed in time, not sent"),
    ("Đã bỏ", "Discarded"),
    ("Đã hết hạn", "Ended"),
    ("Cực kỳ nghiêm trọng (toàn màn hình)", "Extreme (full screen)"),
    ("Nghiêm trọng (toàn màn hình)", "Severe (full screen)"),
    ("Trung bình (dải chữ trên chương trình)", "Moderate (banner over the programme)"),
    ("Nhẹ (dải chữ trên chương trình)", "Minor (banner over the programme)"),
    ("Hãy nhập tiêu đề cảnh báo.", "Enter the alert's headline."),
    ("Tiêu đề dài quá 200 ký tự.", "The headline is longer than 200 characters."),
    ("Dài quá 2000 ký tự.", "Longer than 2000 characters."),
    ("Dài quá 200 ký tự.", "Longer than 200 characters."),
    ("Hãy chọn mức độ.", "Choose a severity."),
    ("Thời hạn phải từ 1 giờ đến mức tối đa của khu vực.", "The duration must be from 1 hour to the area's maximum."),
    ("Cảnh báo không hợp lệ: hãy kiểm tra các ô.", "The alert is not valid: check the fields."),
    ("Cảnh báo này không còn chờ xác nhận.", "This alert is no longer waiting for confirmation."),
    ("Đã quá thời hạn xác nhận: cảnh báo không được gửi. Hãy soạn lại nếu vẫn cần.", "The time to confirm has passed: the alert was not sent. Enter it again if it is still needed."),
    ("Người thứ hai phải là cán bộ khác với người soạn.", "The second officer must be someone other than the sender."),
    ("Hãy gõ đúng tên khu vực để xác nhận gửi cảnh báo thật.", "Type the area's name exactly to confirm the live alert."),
    ("Chỉ hủy được cảnh báo đã gửi và chưa bị hủy.", "Only a sent alert that is not cancelled can be cancelled."),
    ("Chỉ đính chính được cảnh báo đang có hiệu lực.", "Only an alert in force can be corrected."),
    ("Mẫu chưa lưu: cần tên (tối đa 60 ký tự), tiêu đề (tối đa 200) và mức độ.", "Template not saved: it needs a name (60 characters at most), a headline (200 at most) and a severity."),
    ("Đã đọc tệp CAP: hãy kiểm tra nội dung và bản xem trước rồi gửi.", "The CAP file was read: check the text and the preview, then send."),
];

fn english() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| PHRASES.iter().copied().collect())
}

/// A phrase that may be in the table (a page title), else as it is.
pub fn any(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Vi => text.to_owned(),
        Lang::En => english().get(text).copied().unwrap_or(text).to_owned(),
    }
}

/// `vi` in `lang` (a phrase missing from the table stays Vietnamese, and a test fails).
pub fn t(lang: Lang, vi: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => english().get(vi).copied().unwrap_or(vi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: &[&str] = &[
        include_str!("../templates/base.html"),
        include_str!("../templates/login.html"),
        include_str!("../templates/home.html"),
        include_str!("../templates/item_form.html"),
        include_str!("../templates/item.html"),
        include_str!("../templates/boards.html"),
        include_str!("../templates/board.html"),
        include_str!("../templates/bulk.html"),
        include_str!("../templates/audit.html"),
        include_str!("../templates/report.html"),
        include_str!("../templates/tokens.html"),
        include_str!("../templates/alert_templates.html"),
        include_str!("../templates/alert.html"),
        include_str!("../templates/alert_form.html"),
        include_str!("../templates/alerts.html"),
    ];

    #[test]
    fn every_phrase_of_the_templates_has_its_english() {
        let mut missing = Vec::new();
        let mut n = 0;
        for t in TEMPLATES {
            for part in t.split("l.t(\"").skip(1) {
                let phrase = part.split('"').next().unwrap_or("");
                n += 1;
                if !english().contains_key(phrase) {
                    missing.push(phrase.to_owned());
                }
            }
        }
        assert!(n > 90, "only {n} phrases found");
        assert!(missing.is_empty(), "no English for: {missing:#?}");
        // And the words made in code that pages pass through `t`.
        let alert_words = crate::alerts::State::ALL.map(crate::alerts::State::vi);
        let severities = crate::alerts::SEVERITIES.map(|s| s.1);
        for word in crate::items::Status::ALL
            .map(crate::items::Status::vi)
            .into_iter()
            .chain(alert_words)
            .chain(severities)
        {
            assert!(english().contains_key(word), "{word}");
        }
        assert_eq!(
            PHRASES.len(),
            english().len(),
            "a phrase is in the table twice"
        );
    }

    #[test]
    fn vietnamese_is_the_default_and_unknown_codes_read_as_it() {
        assert_eq!(t(Lang::Vi, "Tin"), "Tin");
        assert_eq!(t(Lang::En, "Tin"), "Items");
        assert_eq!(Lang::parse("fr"), Lang::Vi);
        assert_eq!(Lang::default().other(), Lang::En);
    }
}
