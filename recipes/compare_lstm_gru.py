"""Recipe — LSTM vs GRU: trains each cell with the same budget on the offline tasks and
writes one table (params, SavedModel size, peak train/inference memory, s/epoch, latency
p50/p99 at batch 1 and 64, task metric; mean ± std over --seeds).

    python recipes/compare_lstm_gru.py [--config recipes/configs/compare.json] \
        [--cells lstm,gru,peephole,cifg,layernorm_lstm] [--seeds 3]

Same as `seqkit compare ...`. Output: runs/compare/compare.{md,json,png}.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["compare", *sys.argv[1:]]))
