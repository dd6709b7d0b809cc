// comment match (extensions/libxt_comment.c): --comment TEXT, kept in a 256-byte buffer
// (XT_MAX_COMMENT_LEN), so longer text is cut to 255 characters.
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtComment;

enum { O_COMMENT = 0 };
constexpr OptEntry kCommentOpts[] = {
    {.name = "comment", .id = O_COMMENT, .type = OptType::STRING, .flags = XTOPT_MAND, .size = 256, .expect = "a text (quote it if it has spaces)"},
};

void comment_parse(OptCall& cb, kernel::XtMatchData& d) {
  xtables_option_parse(cb);
  std::get<XtComment>(d).comment = cb.arg;
}

void comment_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  out += " --comment";
  save_string(out, std::get<XtComment>(d).comment);
}

}  // namespace

extern const MatchExt kCommentMatch = {
    .name = "comment",
    .opts = kCommentOpts,
    .init = [] { return kernel::XtMatchData{XtComment{}}; },
    .parse = comment_parse,
    .save = comment_save,
    .summary = "comment: --comment TEXT",
};

}  // namespace kpath::xt
