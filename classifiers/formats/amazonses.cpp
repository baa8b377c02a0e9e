// amazonses.cpp — Amazon SES notifications delivered by e-mail through Amazon SNS (JSON bodies):
// Bounce, Complaint and Delivery notifications.
//
// Format (AWS SES Developer Guide, "Amazon SNS notification contents"; Sisimai Lhost/AmazonSES.pm):
// the body is an SNS envelope {"Type":"Notification","Message":"<SES JSON as a string>",...} or the
// SES JSON itself: {"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress",
// "action","status","diagnosticCode"}],"reportingMTA"},"mail":{"headers":[{"name","value"}],...}}.
// Lines ending in "!" are continued on the next line after one blank (SNS line wrapping).
// Input trust: none. The JSON text is capped at k_max_text_part_bytes and its nesting depth is checked
// (at most 64) before nlohmann::json parses it without exceptions.
#include "classifiers/formats/modules.hpp"

#include <nlohmann/json.hpp>

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

constexpr int k_max_json_depth = 64;

// Nesting depth of brackets outside strings; linear.
bool depth_ok(std::string_view s) {
    int depth = 0;
    bool in_str = false, esc = false;
    for (char c : s) {
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '{' || c == '[') {
            if (++depth > k_max_json_depth) return false;
        } else if (c == '}' || c == ']') --depth;
    }
    return true;
}

// The string value of `key`, or null when `j` is no object or the value no string.
const std::string* str_ptr(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return nullptr;
    return it->get_ptr<const std::string*>();
}

std::string str(const nlohmann::json& j, const char* key) {
    const std::string* s = str_ptr(j, key);
    return s == nullptr ? std::string() : *s;
}

const nlohmann::json* obj(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    if (it == j.end()) return nullptr;
    return &*it;
}

nlohmann::json parse_json(std::string_view s) {
    if (!depth_ok(s)) return nlohmann::json();
    return nlohmann::json::parse(s.begin(), s.end(), nullptr, false);
}

} // namespace

bool parse_amazonses(const Context& ctx, DeliveryReport& report) {
    // AmazonSES.pm: the JSON form needs the x-amz-sns-message-id header and a body starting with "{".
    if (!has_header(ctx, Field::x_amz_sns_message_id)) return false;
    const std::string_view body = trim(ctx.text);
    if (!body.starts_with('{')) return false;
    std::string json;
    json.reserve(ctx.text.size()); // the lines without their line ends: never longer than the text
    bool folded = false;
    for (std::string_view line : ctx.lines) {
        if (line.empty()) continue;
        if (line == "--") break; // SNS appends "--" and the unsubscribe text
        if (folded && line.starts_with(' ')) line.remove_prefix(1);
        folded = line.ends_with('!');
        if (folded) line.remove_suffix(1);
        if (json.size() + line.size() > k_max_text_part_bytes) return false;
        json += line;
    }
    nlohmann::json outer = parse_json(json);
    if (outer.is_discarded() || !outer.is_object()) return false;
    nlohmann::json ses;
    // The SES JSON inside the envelope is parsed where it is (not from a copy of it).
    if (const std::string* m = str_ptr(outer, "Message"); m != nullptr && !m->empty())
        ses = parse_json(*m);
    else ses = std::move(outer);
    if (ses.is_discarded() || !ses.is_object()) return false;
    const std::string type = str(ses, "notificationType");
    std::size_t added = 0;
    if (type == "Bounce" || type == "Complaint") {
        const bool bounce = type == "Bounce";
        const nlohmann::json* o = obj(ses, bounce ? "bounce" : "complaint");
        if (o == nullptr) return false;
        const nlohmann::json* list = obj(*o, bounce ? "bouncedRecipients" : "complainedRecipients");
        if (list == nullptr || !list->is_array()) return false;
        for (const auto& e : *list) {
            const std::string addr = str(e, "emailAddress");
            if (normalise_address(addr).empty()) continue;
            RecipientRecord r;
            if (bounce) {
                std::string diag = str(e, "diagnosticCode");
                // "smtp; 550 5.1.1 user unknown": the type before ";" (RFC 3464 Diagnostic-Code).
                if (const std::size_t semi = diag.find(';'); semi != std::string::npos && semi < 16) {
                    r = make_record(ctx, addr, std::string_view(diag).substr(semi + 1), "amazonses");
                    r.diagnostic_type = to_lower_ascii(trim(std::string_view(diag).substr(0, semi)));
                } else {
                    r = make_record(ctx, addr, diag, "amazonses");
                }
                const std::string action = str(e, "action");
                const std::string status = str(e, "status");
                if (!status.empty()) r.status = status;
                r.action = action == "delayed" ? Action::delayed : Action::failed;
                std::string mta = str(*o, "reportingMTA");
                if (istarts_with(mta, "dsn;")) mta = std::string(trim(std::string_view(mta).substr(4)));
                report.reporting_mta = mta;
            } else {
                r = make_record(ctx, addr, str(*o, "complaintFeedbackType"), "amazonses", Action::none);
                report.kind = Kind::feedback;
            }
            r.last_attempt = str(*o, "timestamp");
            if (!add_record(report, std::move(r))) break;
            ++added;
        }
    } else if (type == "Delivery") {
        const nlohmann::json* o = obj(ses, "delivery");
        if (o == nullptr) return false;
        const nlohmann::json* list = obj(*o, "recipients");
        if (list == nullptr || !list->is_array()) return false;
        for (const auto& e : *list) {
            if (!e.is_string()) continue;
            const std::string addr = e.get<std::string>();
            if (normalise_address(addr).empty()) continue;
            RecipientRecord r =
                make_record(ctx, addr, str(*o, "smtpResponse"), "amazonses", Action::delivered);
            r.remote_mta = str(*o, "remoteMtaIp");
            report.reporting_mta = str(*o, "reportingMTA");
            if (!add_record(report, std::move(r))) break;
            ++added;
        }
    } else {
        return false;
    }
    if (added == 0) return false;
    // The original's headers are in mail.headers[] as {name, value} pairs.
    if (const nlohmann::json* mail = obj(ses, "mail"); mail != nullptr && !report.original.present) {
        auto& og = report.original;
        if (const nlohmann::json* hs = obj(*mail, "headers"); hs != nullptr && hs->is_array()) {
            for (const auto& h : *hs) {
                // Views of the values where they are (a header's value is often long: no copy).
                const std::string* const n = str_ptr(h, "name");
                const std::string* const v = str_ptr(h, "value");
                const std::string_view name = n != nullptr ? std::string_view(*n) : std::string_view();
                const std::string_view value = v != nullptr ? std::string_view(*v) : std::string_view();
                if (iequals(name, "From")) og.from = decode_rfc2047(value);
                else if (iequals(name, "To")) og.to = decode_rfc2047(value);
                else if (iequals(name, "Subject")) og.subject = decode_rfc2047(value);
                else if (iequals(name, "Message-ID")) og.message_id = value;
                else if (iequals(name, "Date")) og.date = value;
                else if (iequals(name, "DKIM-Signature") && og.dkim_signatures.size() < k_max_received_fields)
                    og.dkim_signatures.emplace_back(value);
            }
        }
        if (og.message_id.empty()) og.message_id = str(*mail, "messageId");
        og.present = true;
        og.headers_only = true;
    }
    finish(report, "amazonses");
    return true;
}

} // namespace ndr::classifiers::formats
