"""Labeling and certificate checks (产品标识和质量合格证明检查): rules, service, photos,
barcodes and the printed record. No Qt here."""
