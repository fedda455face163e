"""Fees and payments: fee rules, VietQR transfers, online gateways, receipts and
reconciliation. Writes are in services.py, reads in selectors.py; the gateways speak their
published protocols behind gateways.base.PaymentGateway.
"""
