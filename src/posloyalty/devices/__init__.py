"""Counter devices without Qt: scanner input classification, QR images, receipts."""
