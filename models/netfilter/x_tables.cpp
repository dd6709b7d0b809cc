#include "models/netfilter/x_tables.hpp"

namespace kpath::kernel {
XtTable xt_table_new(XtTableId id) {
  XtTable t;
  t.id = id;
  for (int h = 0; h < NF_INET_NUMHOOKS; ++h) {
    if (!((kXtTableHooks[static_cast<size_t>(id)] >> h) & 1)) continue;
    XtChain c;
    c.name = std::string(kHookChainNames[h]);
    c.builtin = true;
    t.chains.push_back(std::move(c));
  }
  return t;
}
}  // namespace kpath::kernel
