#!/bin/sh
# Writes the geo notebook's committed data files from the Rust generator in dslab::geo:
#   data/vancouver-rapid-transit-stations.csv   (station positions: public facts, see dslab::geo::vancouver)
#   data/vancouver-starbucks-synthetic.csv      (24 synthetic stores, seed 2017)
#   data/vancouver-crime-sample-synthetic.csv   (3,000 synthetic VPD-format crime records, seed 2017)
# The full synthetic crime file (530,653 records) is not committed: dslab::geo::synthetic::crime_file
# writes it into data/generated/ on first use. The test `committed_data_files_match_their_generator`
# fails when the committed files differ from what this script writes.
set -e
cd "$(dirname "$0")/../.."
DSLAB_WRITE_DATA=1 cargo test -p dslab --features geo --test geo committed_data_files_match_their_generator
