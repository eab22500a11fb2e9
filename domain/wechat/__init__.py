from domain.wechat.gateway import WeChatGateway, get_wechat, reset_wechat
from domain.wechat.pay import PayGateway

__all__ = ["PayGateway", "WeChatGateway", "get_wechat", "reset_wechat"]
