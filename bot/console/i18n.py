"""Everything the console says, in Vietnamese (first: officers are Vietnamese consular staff)
and English. ``?lang=en`` / ``?lang=vi`` switches and remembers the choice in a cookie."""
from __future__ import annotations

from typing import Dict, Mapping, Optional

from bot.understanding.language import LANGUAGES

DEFAULT_LANGUAGE = "vi"
LANG_COOKIE = "hc_lang"

MESSAGES: Dict[str, Dict[str, str]] = {
    # layout
    "app_title": {"vi": "Bảng điều khiển cán bộ lãnh sự", "en": "Consular officer console"},
    "nav_queue": {"vi": "Hàng chờ", "en": "Queue"},
    "logout": {"vi": "Đăng xuất", "en": "Sign out"},
    "signed_in_as": {"vi": "Đăng nhập: {name}", "en": "Signed in as {name}"},
    "other_language": {"vi": "English", "en": "Tiếng Việt"},
    # login
    "login_title": {"vi": "Đăng nhập", "en": "Sign in"},
    "username": {"vi": "Tên đăng nhập", "en": "Username"},
    "password": {"vi": "Mật khẩu", "en": "Password"},
    "sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "login_failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong username or password."},
    "login_locked": {
        "vi": "Đăng nhập sai quá nhiều lần. Vui lòng đợi {seconds} giây rồi thử lại.",
        "en": "Too many failed sign-ins. Please wait {seconds} seconds, then try again.",
    },
    "logged_out": {"vi": "Bạn đã đăng xuất.", "en": "You have signed out."},
    "session_expired": {"vi": "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
                        "en": "Your session has expired. Please sign in again."},
    # queue
    "queue_title": {"vi": "Hàng chờ vụ việc", "en": "Case queue"},
    "queue_empty": {"vi": "Không có vụ việc nào đang chờ.", "en": "No cases are waiting."},
    "queue_note": {
        "vi": "Sắp xếp theo mức độ nghiêm trọng, rồi theo thời gian chờ. Trang tự làm mới mỗi 30 giây.",
        "en": "Ordered by severity, then waiting time. The page refreshes every 30 seconds.",
    },
    "col_case": {"vi": "Vụ việc", "en": "Case"},
    "col_severity": {"vi": "Mức độ", "en": "Severity"},
    "col_country": {"vi": "Quốc gia", "en": "Country"},
    "col_language": {"vi": "Ngôn ngữ", "en": "Language"},
    "col_channel": {"vi": "Kênh", "en": "Channel"},
    "col_status": {"vi": "Trạng thái", "en": "Status"},
    "col_officer": {"vi": "Cán bộ phụ trách", "en": "Assigned officer"},
    "col_waiting": {"vi": "Thời gian chờ", "en": "Waiting"},
    "col_sla": {"vi": "Hạn xác nhận", "en": "Acknowledge by"},
    "sla_left": {"vi": "còn {time}", "en": "{time} left"},
    "sla_overdue": {"vi": "QUÁ HẠN {time}", "en": "OVERDUE {time}"},
    "sla_met": {"vi": "đã xác nhận", "en": "acknowledged"},
    "nobody": {"vi": "chưa có", "en": "nobody"},
    "unknown": {"vi": "không rõ", "en": "unknown"},
    # severities, statuses
    "sev_critical": {"vi": "Khẩn cấp", "en": "Critical"},
    "sev_high": {"vi": "Cao", "en": "High"},
    "sev_none": {"vi": "Thấp", "en": "Low"},
    "st_open": {"vi": "Mới", "en": "Open"},
    "st_acknowledged": {"vi": "Đã xác nhận", "en": "Acknowledged"},
    "st_taken": {"vi": "Đang xử lý", "en": "Taken"},
    "st_closed": {"vi": "Đã đóng", "en": "Closed"},
    # consent
    "consent_pending": {"vi": "Chưa trả lời", "en": "Not answered yet"},
    "consent_given": {"vi": "Đồng ý được liên hệ", "en": "Agreed to be contacted"},
    "consent_declined": {"vi": "Từ chối liên hệ", "en": "Declined contact"},
    "consent_not_required": {"vi": "Không cần hỏi (nguy hiểm tức thời)",
                             "en": "Not asked (imminent danger)"},
    "pref_chat": {"vi": "Nhắn tin trong cuộc trò chuyện này", "en": "Messages in this chat"},
    "pref_call": {"vi": "Gọi vào số này", "en": "A call to this number"},
    "pref_other": {"vi": "Số hoặc thời gian an toàn khác", "en": "Another safe number or time"},
    # case page
    "case_title": {"vi": "Vụ việc {number}", "en": "Case {number}"},
    "back_to_queue": {"vi": "← Hàng chờ", "en": "← Queue"},
    "details": {"vi": "Thông tin", "en": "Details"},
    "opened_at": {"vi": "Mở lúc", "en": "Opened"},
    "conversation": {"vi": "Mã cuộc trò chuyện", "en": "Conversation id"},
    "summary": {"vi": "Tóm tắt", "en": "Summary"},
    "consent": {"vi": "Đồng ý liên hệ", "en": "Consent"},
    "contact_preference": {"vi": "Cách liên hệ mong muốn", "en": "Contact preference"},
    "contact_detail": {"vi": "Chi tiết liên hệ", "en": "Contact detail"},
    "referrals": {"vi": "Thông tin hỗ trợ đã gửi", "en": "Referrals given"},
    "no_referrals": {"vi": "Chưa ghi nhận.", "en": "None recorded."},
    "transcript": {"vi": "Nội dung trò chuyện", "en": "Transcript"},
    "no_messages": {"vi": "Chưa có tin nhắn.", "en": "No messages yet."},
    "worker": {"vi": "Người lao động", "en": "Worker"},
    "bot": {"vi": "Tổng đài tự động", "en": "Bot"},
    "events": {"vi": "Nhật ký vụ việc", "en": "Case history"},
    "col_time": {"vi": "Thời gian", "en": "Time"},
    "col_event": {"vi": "Sự kiện", "en": "Event"},
    "col_actor": {"vi": "Người thực hiện", "en": "By"},
    "col_detail": {"vi": "Chi tiết", "en": "Detail"},
    "actions": {"vi": "Xử lý", "en": "Actions"},
    "acknowledge": {"vi": "Xác nhận đã nhận", "en": "Acknowledge"},
    "take": {"vi": "Nhận xử lý (tạm dừng tổng đài)", "en": "Take over (pause the bot)"},
    "reply": {"vi": "Trả lời người lao động", "en": "Reply to the worker"},
    "reply_hint": {
        "vi": "Tin nhắn được gửi qua kênh của chị ấy ({channel}).",
        "en": "Sent over her own channel ({channel}).",
    },
    "send": {"vi": "Gửi", "en": "Send"},
    "reassign": {"vi": "Chuyển cho cán bộ khác", "en": "Reassign"},
    "to_officer": {"vi": "Cán bộ", "en": "Officer"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "close": {"vi": "Đóng vụ việc", "en": "Close the case"},
    "close_hint": {
        "vi": "Tổng đài tự động sẽ tiếp tục và gửi lời chào kết thúc.",
        "en": "The bot resumes and sends a short goodbye.",
    },
    "note": {"vi": "Ghi chú nội bộ", "en": "Internal note"},
    "add_note": {"vi": "Thêm ghi chú", "en": "Add note"},
    "reply_takes": {"vi": "Gửi tin nhắn là nhận xử lý vụ việc (tổng đài tự động tạm dừng).",
                    "en": "Sending takes the case over (the bot pauses)."},
    "not_yours": {"vi": "Vụ việc đang do {officer} phụ trách. Chuyển vụ việc cho bạn trước khi trả lời.",
                  "en": "{officer} has this case. Have it reassigned to you before replying."},
    "no_other_officer": {"vi": "Không có cán bộ nào khác phụ trách quốc gia này.",
                         "en": "No other officer covers this country."},
    "closed_notice": {"vi": "Vụ việc đã đóng.", "en": "This case is closed."},
    # results of actions
    "done_ack": {"vi": "Đã xác nhận vụ việc.", "en": "Case acknowledged."},
    "done_take": {"vi": "Bạn đã nhận xử lý vụ việc. Tổng đài tự động đã tạm dừng.",
                  "en": "You have taken the case. The bot is paused."},
    "done_reply": {"vi": "Đã gửi tin nhắn.", "en": "Message sent."},
    "done_close": {"vi": "Đã đóng vụ việc.", "en": "Case closed."},
    "done_reassign": {"vi": "Đã chuyển vụ việc.", "en": "Case reassigned."},
    "done_note": {"vi": "Đã thêm ghi chú.", "en": "Note added."},
    # errors
    "error_title": {"vi": "Không thực hiện được", "en": "That did not work"},
    "forbidden_title": {"vi": "Không có quyền truy cập", "en": "Access denied"},
    "forbidden_body": {
        "vi": "Vụ việc này thuộc quốc gia bạn không phụ trách.",
        "en": "This case belongs to a country you do not cover.",
    },
    "not_found": {"vi": "Không tìm thấy trang hoặc vụ việc.", "en": "No such page or case."},
    "invalid_transition": {"vi": "Không thể thực hiện ở trạng thái hiện tại: {reason}",
                           "en": "Not possible in the case's current state: {reason}"},
    "invalid_value": {"vi": "Dữ liệu không hợp lệ: {reason}", "en": "Invalid input: {reason}"},
    "empty_text": {"vi": "Nội dung không được để trống.", "en": "The text must not be empty."},
    "too_long": {"vi": "Nội dung quá dài (tối đa {limit} ký tự).",
                 "en": "The text is too long (at most {limit} characters)."},
    "bad_officer": {"vi": "Cán bộ này không phụ trách quốc gia của vụ việc.",
                    "en": "That officer does not cover the case's country."},
    "csrf_failed": {
        "vi": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
        "en": "The form has expired or is not valid. Please reload the page and try again.",
    },
    "server_error": {"vi": "Hệ thống tạm thời không phục vụ được. Vui lòng thử lại.",
                     "en": "The service is temporarily unavailable. Please try again."},
    "try_again": {"vi": "Tải lại và thử lại", "en": "Reload and try again"},
    "bad_request": {"vi": "Yêu cầu không hợp lệ.", "en": "Bad request."},
    # reply budget, closing, live updates, time zone
    "budget_sms": {"vi": "{units}/{limit} ký tự · {segments}/{max} tin SMS ({encoding})",
                   "en": "{units}/{limit} characters · {segments} of {max} SMS segments ({encoding})"},
    "budget_ucs2_hint": {"vi": "Viết không dấu thì gửi được dài gấp đôi.",
                         "en": "Written without diacritics, twice as much fits."},
    "budget_chars": {"vi": "{units}/{limit} ký tự", "en": "{units}/{limit} characters"},
    "reply_too_long_sms": {
        "vi": "Không gửi: tin trả lời cần {segments} tin SMS ({units} ký tự {encoding}), kênh này chỉ cho phép {max} "
              "({limit} ký tự). Hãy rút ngắn hoặc chia thành nhiều lần trả lời; hệ thống không cắt bớt.",
        "en": "Not sent: the reply needs {segments} SMS segments ({units} {encoding} characters) and her channel "
              "allows {max} ({limit} characters). Shorten it or send it as several replies; nothing is cut.",
    },
    "reply_too_long": {
        "vi": "Không gửi: tin trả lời dài {units} ký tự, tối đa {limit}. Hãy rút ngắn hoặc chia thành nhiều lần trả lời.",
        "en": "Not sent: the reply has {units} characters, at most {limit}. Shorten it or send it as several replies.",
    },
    "opening_message": {"vi": "Tin nhắn mở vụ việc", "en": "Message that opened the case"},
    "close_confirm": {
        "vi": "Đóng vụ việc {number}? Chị ấy sẽ nhận lời chào kết thúc và các số điện thoại hỗ trợ, rồi tổng đài tự động trả lời lại.",
        "en": "Close case {number}? She gets a goodbye and the helpline numbers, then the bot answers her again.",
    },
    "close_confirm_yes": {"vi": "Có, đóng vụ việc", "en": "Yes, close the case"},
    "cancel": {"vi": "Huỷ", "en": "Cancel"},
    "live_changed": {"vi": "Vụ việc đã thay đổi.", "en": "The case has changed."},
    "reload": {"vi": "Tải lại trang", "en": "Reload the page"},
    "times_in": {"vi": "Giờ theo múi giờ {zone}", "en": "Times in {zone}"},
    # event kinds
    "ev_created": {"vi": "Mở vụ việc", "en": "Opened"},
    "ev_notified": {"vi": "Đã báo cán bộ", "en": "Officer notified"},
    "ev_notify_failed": {"vi": "Báo tin thất bại", "en": "Notification failed"},
    "ev_acknowledged": {"vi": "Đã xác nhận", "en": "Acknowledged"},
    "ev_taken": {"vi": "Nhận xử lý", "en": "Taken"},
    "ev_message_in": {"vi": "Tin nhắn đến", "en": "Message in"},
    "ev_message_out": {"vi": "Tin nhắn đi", "en": "Message out"},
    "ev_consent_given": {"vi": "Đồng ý liên hệ", "en": "Consent given"},
    "ev_consent_declined": {"vi": "Từ chối liên hệ", "en": "Consent declined"},
    "ev_severity_changed": {"vi": "Đổi mức độ", "en": "Severity changed"},
    "ev_reassigned": {"vi": "Chuyển cán bộ", "en": "Reassigned"},
    "ev_note": {"vi": "Ghi chú", "en": "Note"},
    "ev_closed": {"vi": "Đóng", "en": "Closed"},
}


def translate(lang: str, key: str, **values) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def pick_language(args: Mapping[str, str], cookies: Mapping[str, str]) -> Optional[str]:
    """The language asked for with ?lang=, else the remembered one, else None (default)."""
    for value in (args.get("lang"), cookies.get(LANG_COOKIE)):
        if value in LANGUAGES:
            return value
    return None
