// owner match (extensions/libxt_owner.c revision 1): [!] --uid-owner ID[-ID], [!] --gid-owner
// ID[-ID] [--suppl-groups], [!] --socket-exists. Names are looked up with getpwnam/getgrnam:
// kpath knows a Debian base system's users and groups and refuses other names (it cannot read
// the host's /etc/passwd). Kernel (xt_owner.c): hooks OUTPUT and POSTROUTING only, so iptables
// refuses the rule elsewhere (RULE_APPEND failed (Invalid argument)).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtOwner;

enum { O_USER = 0, O_GROUP, O_SOCK_EXISTS, O_SUPPL_GROUPS };
constexpr OptEntry kOwnerOpts[] = {
    {.name = "uid-owner", .id = O_USER, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "a user name or uid[-uid]"},
    {.name = "gid-owner", .id = O_GROUP, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "a group name or gid[-gid]"},
    {.name = "socket-exists", .id = O_SOCK_EXISTS, .type = OptType::NONE, .flags = XTOPT_INVERT},
    {.name = "suppl-groups", .id = O_SUPPL_GROUPS, .type = OptType::NONE},
};

[[noreturn]] void bad_value(const OptCall& cb, std::string_view opt, std::string_view value) {
  cb.error(fmt::format("owner: Bad value for \"{}\" option: \"{}\"", opt, value));
}

// owner_parse_range: ID, ID-ID or ID:ID, each 0..UINT32_MAX-1
void parse_range(const OptCall& cb, std::string_view opt, uint32_t& from, uint32_t& to) {
  const std::string& s = cb.arg;
  size_t end = 0;
  if (!xtables_strtoui(s, &end, &from, 0, 0xfffffffeu)) bad_value(cb, opt, s);
  to = from;
  if (end < s.size() && (s[end] == '-' || s[end] == ':')) {
    size_t end2 = 0;
    if (!xtables_strtoui(std::string_view(s).substr(end + 1), &end2, &to, 0, 0xfffffffeu)) bad_value(cb, opt, s);
    end += 1 + end2;
  }
  if (end != s.size()) bad_value(cb, opt, s);
}

void lookup_id(const OptCall& cb, bool user, uint32_t& from, uint32_t& to) {
  const std::string_view opt = user ? "--uid-owner" : "--gid-owner";
  if (auto id = user ? system_user(cb.arg) : system_group(cb.arg)) {
    from = to = *id;
    return;
  }
  if (!cb.arg.empty() && !std::isdigit(static_cast<unsigned char>(cb.arg[0])) && cb.arg[0] != ' ' && cb.arg[0] != '+')
    unmodelled_error(cb.arg_loc, fmt::format("kpath: {} {}: kpath knows only a Debian base system's {} and cannot read this host's {}; "
                                             "give the numeric id", opt, cb.arg, user ? "users" : "groups", user ? "/etc/passwd" : "/etc/group"));
  parse_range(cb, opt, from, to);
}

void owner_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtOwner>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_USER:
      lookup_id(cb, true, info.uid_min, info.uid_max);
      if (cb.invert) info.invert |= XtOwner::UID;
      info.match |= XtOwner::UID;
      break;
    case O_GROUP:
      lookup_id(cb, false, info.gid_min, info.gid_max);
      if (cb.invert) info.invert |= XtOwner::GID;
      info.match |= XtOwner::GID;
      break;
    case O_SOCK_EXISTS:
      if (cb.invert) info.invert |= XtOwner::SOCKET;
      info.match |= XtOwner::SOCKET;
      break;
    case O_SUPPL_GROUPS:
      if (!(info.match & XtOwner::GID)) bad_value(cb, "--suppl-groups", "you need to use --gid-owner first");
      info.match |= XtOwner::SUPPL_GROUPS;
      break;
  }
}

void owner_mt_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required");
}

void owner_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& o = std::get<XtOwner>(d);
  auto item = [&](uint8_t flag, std::string_view label, uint32_t lo, uint32_t hi, bool value) {
    if (!(o.match & flag)) return;
    if (o.invert & flag) out += " !";
    out += fmt::format(" {}", label);
    if (value) out += lo == hi ? fmt::format(" {}", lo) : fmt::format(" {}-{}", lo, hi);
  };
  item(XtOwner::SOCKET, "--socket-exists", 0, 0, false);
  item(XtOwner::UID, "--uid-owner", o.uid_min, o.uid_max, true);
  item(XtOwner::GID, "--gid-owner", o.gid_min, o.gid_max, true);
  item(XtOwner::SUPPL_GROUPS, "--suppl-groups", 0, 0, false);
}

}  // namespace

extern const MatchExt kOwnerMatch = {
    .name = "owner",
    .opts = kOwnerOpts,
    .kreg = {.hooks = (1 << kernel::NF_INET_LOCAL_OUT) | (1 << kernel::NF_INET_POST_ROUTING)},
    .init = [] { return kernel::XtMatchData{XtOwner{}}; },
    .parse = owner_mt_parse,
    .fcheck = owner_mt_check,
    .save = owner_mt_save,
    .summary = "owner: [!] --uid-owner ID, [!] --gid-owner ID [--suppl-groups], [!] --socket-exists (OUTPUT/POSTROUTING)",
};

}  // namespace kpath::xt
