#!/usr/bin/env bash
# Download the data sets that do not ship with the course.
#
#   bash data/get_datasets.sh          # CIFAR-10 (python version, ~163 MB download)
#
# Run it from anywhere; files go to $CS231N_DATA_DIR when set, else to this script's folder
# (data/), which is where cs231n_tools.paths.data_dir() looks. The handwritten digits need no
# download: they ship inside scikit-learn.
#
# The archive's MD5 is checked after every download (the value torchvision checks too); a
# mismatch deletes the file and fails. Running it again when CIFAR-10 is unpacked does nothing.
set -euo pipefail

CIFAR10_URL="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5="c58f30108f718f92721af3b95e74349a"
CIFAR10_ARCHIVE="cifar-10-python.tar.gz"
CIFAR10_DIR="cifar-10-batches-py"

DATA_DIR="${CS231N_DATA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

md5_of() {
    if command -v md5sum >/dev/null 2>&1; then
        md5sum "$1" | cut -d' ' -f1
    elif command -v md5 >/dev/null 2>&1; then  # macOS
        md5 -q "$1"
    else
        python3 -c 'import hashlib, sys; print(hashlib.md5(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
    fi
}

fetch() {  # fetch URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --fail --location --retry 3 --progress-bar --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --tries=3 --output-document="$2" "$1"
    else
        die "neither curl nor wget is installed; download $1 by hand into $DATA_DIR and run this script again"
    fi
}

get_cifar10() {
    if [[ -f "$DATA_DIR/$CIFAR10_DIR/test_batch" && -f "$DATA_DIR/$CIFAR10_DIR/data_batch_5" ]]; then
        say "CIFAR-10 is already in $DATA_DIR/$CIFAR10_DIR"
        return
    fi
    local archive="$DATA_DIR/$CIFAR10_ARCHIVE"
    if [[ ! -f "$archive" ]]; then
        say "Downloading CIFAR-10 from $CIFAR10_URL"
        fetch "$CIFAR10_URL" "$archive.part" || { rm -f "$archive.part"; die "download failed (no network?): $CIFAR10_URL"; }
        mv "$archive.part" "$archive"
    fi
    local got
    got="$(md5_of "$archive")"
    if [[ "$got" != "$CIFAR10_MD5" ]]; then
        rm -f "$archive"
        die "$CIFAR10_ARCHIVE has MD5 $got, expected $CIFAR10_MD5: deleted it; run this script again"
    fi
    say "MD5 ok; unpacking into $DATA_DIR/$CIFAR10_DIR"
    tar -xzf "$archive" -C "$DATA_DIR"
    rm -f "$archive"
    say "Done. In Python: from cs231n_tools.data import cifar10_image_folder; cifar10_image_folder()"
}

mkdir -p "$DATA_DIR"
case "${1:-cifar10}" in
    cifar10) get_cifar10 ;;
    -h|--help) sed -n '2,11p' "$0" ;;
    *) die "unknown data set '$1' (known: cifar10)" ;;
esac
