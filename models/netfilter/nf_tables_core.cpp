// nft_do_chain (net/netfilter/nf_tables_core.c). Placeholder until the nftables model lands:
// a chain with no rules applies its policy.
#include "models/instantiate.hpp"
#include "models/netfilter/nf_hook.hpp"

namespace kpath::kernel {

template <typename T>
NfVerdict nft_do_chain(const Net& net, SkBuff& skb, int table, int chain, NfHook hook, int in, int out, Origin& decided, T& t) {
  const NftChain& ch = net.nft[static_cast<size_t>(table)].chains[static_cast<size_t>(chain)];
  decided = ch.origin;
  return ch.policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
}

#define X(T) template NfVerdict nft_do_chain<T>(const Net&, SkBuff&, int, int, NfHook, int, int, Origin&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel
