"""Every ORM model, imported here so that ``Base.metadata`` knows all tables."""

from domain.models.analytics import (
    OrderFingerprint,
    RiskKind,
    RiskOutcome,
    RiskSignal,
    RiskStatus,
    WithdrawalReview,
)
from domain.models.base import Base
from domain.models.catalog import Category, Product, Sku
from domain.models.content import Banner, LinkKind, Notice
from domain.models.distribution import (
    ApplicationStatus,
    CommissionRecord,
    CommissionStatus,
    Distributor,
    DistributorApplication,
    QrCodeImage,
)
from domain.models.marketing import (
    CouponKind,
    CouponSource,
    CouponTemplate,
    Promotion,
    PromotionItem,
    PromotionKind,
    PromotionStatus,
    PromotionUse,
    TemplateStatus,
    UserCoupon,
    UserCouponStatus,
)
from domain.models.members import (
    CheckIn,
    GrowthEntry,
    GrowthKind,
    MemberLevel,
    Share,
    ShareChannel,
    ShareReward,
    ShareRewardKind,
    ShareRewardStatus,
    ShareTarget,
    ShareVisit,
)
from domain.models.orders import (
    Address,
    CartItem,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
    Shipment,
    TrackingEvent,
)
from domain.models.settings import SettingValue
from domain.models.staff import AuditEntry, Staff, StaffToken
from domain.models.system import JobRun, RateLimitWindow
from domain.models.users import User, UserToken
from domain.models.wallet import (
    EntryType,
    Wallet,
    WalletEntry,
    Withdrawal,
    WithdrawalStatus,
)

__all__ = [
    "Address", "ApplicationStatus", "AuditEntry", "Base", "CartItem", "Category", "CommissionRecord",
    "CommissionStatus", "Distributor", "DistributorApplication", "EntryType", "JobRun", "MemberLevel",
    "Order", "OrderLine", "OrderStatus", "Payment", "Product", "QrCodeImage", "RateLimitWindow", "Refund",
    "RefundLine", "RefundStatus", "SettingValue", "Shipment", "Sku", "Staff", "StaffToken", "TrackingEvent",
    "User", "UserToken", "Wallet", "WalletEntry", "Withdrawal", "WithdrawalStatus",
]
__all__ += ["CouponKind", "CouponSource", "CouponTemplate", "Promotion", "PromotionItem", "PromotionKind",
            "PromotionStatus", "PromotionUse", "TemplateStatus", "UserCoupon", "UserCouponStatus"]  # marketing
__all__ += ["Banner", "LinkKind", "Notice"]  # the home page's content
__all__ += ["PaymentStatus"]
__all__ += ["RefundKind"]  # after-sale
__all__ += ["CheckIn", "GrowthEntry", "GrowthKind", "Share", "ShareChannel", "ShareReward", "ShareRewardKind",
            "ShareRewardStatus", "ShareTarget", "ShareVisit"]  # members
__all__ += ["OrderFingerprint", "RiskKind", "RiskOutcome", "RiskSignal", "RiskStatus", "WithdrawalReview"]  # analytics
