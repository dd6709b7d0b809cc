// SET target (extensions/libxt_SET.c revision 3, old-style parse like the set match):
// --add-set NAME DIRS [--exist] [--timeout N], --del-set NAME DIRS, --map-set NAME DIRS with
// --map-mark/--map-prio/--map-queue. Kernel (xt_set.c set_target_v3_checkentry): --map-set only
// in mangle, and mapping prio/queue only from FORWARD/OUTPUT/POSTROUTING. The target changes
// sets for later packets only; the packet continues (ip_tables.cpp).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {

void parse_set_info(OptCall& cb, kernel::XtSetInfo& info, std::string_view what);  // libxt_set.cpp
void save_set_info(std::string& out, const kernel::XtSetInfo& info);

namespace {

using kernel::XtSetTarget;

enum { O_ADD_SET = 0, O_DEL_SET, O_EXIST, O_TIMEOUT, O_MAP_SET, O_MAP_MARK, O_MAP_PRIO, O_MAP_QUEUE };
enum : uint32_t {
  SET_TARGET_ADD = 0x1, SET_TARGET_DEL = 0x2, SET_TARGET_EXIST = 0x4, SET_TARGET_TIMEOUT = 0x8, SET_TARGET_MAP = 0x10,
  SET_TARGET_MAP_MARK = 0x20, SET_TARGET_MAP_PRIO = 0x40, SET_TARGET_MAP_QUEUE = 0x80,
};
constexpr std::string_view kSetExpect = "a set name, then src, dst or a comma list of them";
constexpr OptEntry kSetTargetOpts[] = {
    {.name = "add-set", .id = O_ADD_SET, .type = OptType::STRING, .expect = kSetExpect},
    {.name = "del-set", .id = O_DEL_SET, .type = OptType::STRING, .expect = kSetExpect},
    {.name = "exist", .id = O_EXIST, .type = OptType::NONE},
    {.name = "timeout", .id = O_TIMEOUT, .type = OptType::STRING, .expect = "seconds 0-4294967294"},
    {.name = "map-set", .id = O_MAP_SET, .type = OptType::STRING, .expect = kSetExpect},
    {.name = "map-mark", .id = O_MAP_MARK, .type = OptType::NONE},
    {.name = "map-prio", .id = O_MAP_PRIO, .type = OptType::NONE},
    {.name = "map-queue", .id = O_MAP_QUEUE, .type = OptType::NONE},
};

void set_target_parse_v3(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtSetTarget>(d);
  switch (cb.entry->id) {
    case O_EXIST:
      info.exist = true;
      cb.xflags |= SET_TARGET_EXIST;
      break;
    case O_TIMEOUT: {
      uint32_t t;
      if (!xtables_strtoui(cb.arg, nullptr, &t, 0, 0xfffffffeu)) cb.error("Invalid value for option --timeout or out of range 0-4294967294");
      info.timeout = t;
      cb.xflags |= SET_TARGET_TIMEOUT;
      break;
    }
    case O_ADD_SET:
      parse_set_info(cb, info.add_set, "add-set");
      cb.xflags |= SET_TARGET_ADD;
      break;
    case O_DEL_SET:
      parse_set_info(cb, info.del_set, "del-set");
      cb.xflags |= SET_TARGET_DEL;
      break;
    case O_MAP_SET:
      parse_set_info(cb, info.map_set, "map-set");
      cb.xflags |= SET_TARGET_MAP;
      break;
    case O_MAP_MARK:
      info.map_mark = true;
      cb.xflags |= SET_TARGET_MAP_MARK;
      break;
    case O_MAP_PRIO:
      info.map_prio = true;
      cb.xflags |= SET_TARGET_MAP_PRIO;
      break;
    case O_MAP_QUEUE:
      info.map_queue = true;
      cb.xflags |= SET_TARGET_MAP_QUEUE;
      break;
  }
}

void set_target_check_v3(const FcheckCall& cb, kernel::XtTargetData&) {
  const uint32_t f = cb.xflags;
  if (!(f & (SET_TARGET_ADD | SET_TARGET_DEL | SET_TARGET_MAP)))
    cb.error("You must specify either `--add-set' or `--del-set' or `--map-set'", "e.g. -j SET --add-set NAME src");
  if (!(f & SET_TARGET_ADD)) {
    if (f & SET_TARGET_EXIST) cb.error("Flag `--exist' can be used with `--add-set' only");
    if (f & SET_TARGET_TIMEOUT) cb.error("Option `--timeout' can be used with `--add-set' only");
  }
  if (!(f & SET_TARGET_MAP)) {
    if (f & SET_TARGET_MAP_MARK) cb.error("Flag `--map-mark' can be used with `--map-set' only");
    if (f & SET_TARGET_MAP_PRIO) cb.error("Flag `--map-prio' can be used with `--map-set' only");
    if (f & SET_TARGET_MAP_QUEUE) cb.error("Flag `--map-queue' can be used with `--map-set' only");
  }
  if ((f & SET_TARGET_MAP) && !(f & (SET_TARGET_MAP_MARK | SET_TARGET_MAP_PRIO | SET_TARGET_MAP_QUEUE)))
    cb.error("You must specify flags `--map-mark' or '--map-prio` or `--map-queue'");
}

void set_target_save_v3(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& s = std::get<XtSetTarget>(d);
  if (s.add_set.dim) {
    out += " --add-set";
    save_set_info(out, s.add_set);
  }
  if (s.exist) out += " --exist";
  if (s.timeout != 0xffffffffu) out += fmt::format(" --timeout {}", s.timeout);
  if (s.del_set.dim) {
    out += " --del-set";
    save_set_info(out, s.del_set);
  }
  if (s.map_set.dim) {
    out += " --map-set";
    save_set_info(out, s.map_set);
  }
  if (s.map_mark) out += " --map-mark";
  if (s.map_prio) out += " --map-prio";
  if (s.map_queue) out += " --map-queue";
}

// set_target_v3_checkentry (net/netfilter/xt_set.c)
std::string set_target_v3_checkentry(const kernel::XtTargetData& d, const CheckParam& par) {
  using namespace kernel;
  const auto& s = std::get<XtSetTarget>(d);
  if (!s.map_set.dim) return {};
  if (par.table != "mangle") return "xt_set: --map-set only usable from mangle table";
  constexpr uint8_t ok = (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT) | (1 << NF_INET_POST_ROUTING);
  if ((s.map_prio || s.map_queue) && (par.hook_mask & ~ok))
    return "xt_set: mapping of prio or/and queue is allowed only from OUTPUT/FORWARD/POSTROUTING chains";
  return {};
}

}  // namespace

extern const TargetExt kSetTarget = {
    .name = "SET",
    .opts = kSetTargetOpts,
    .x6 = false,
    .init = [] { return kernel::XtTargetData{XtSetTarget{}}; },
    .parse = set_target_parse_v3,
    .fcheck = set_target_check_v3,
    .save = set_target_save_v3,
    .checkentry = set_target_v3_checkentry,
    .summary = "SET: --add-set NAME DIRS [--exist] [--timeout N] | --del-set NAME DIRS | --map-set NAME DIRS --map-mark|--map-prio|--map-queue",
};

}  // namespace kpath::xt
